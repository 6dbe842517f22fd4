// Sister City Advisor: the web chat page. Plain browser JavaScript, no build step.
//
// Safety rule for this file: text from the server or the user only ever reaches the page
// through textContent, createTextNode and element properties, never as HTML.

const HISTORY_LIMIT = 100;
/** The server gives up on a request after 30 seconds; the page waits a little longer. */
const REQUEST_TIMEOUT_MS = 45_000;
const SECURITY_CONTACT_ID = 'security-contact';
/** Local mode's curator choice in the role picker (see adapters/web/auth/people.ts). */
const LOCAL_CURATOR_ID = 'local-curator';
const KEYS = {
  userId: 'sca.userId',
  userName: 'sca.userName',
  role: 'sca.role',
  history: (/** @type {string} */ userId) => `sca.history.${userId}`,
};
const EXAMPLES = [
  'What counts as foreign interference?',
  'How do I report a concern?',
  'What should I do about phones and laptops on a trip?',
];
// Month names come from the browser's own NZ English locale.
const MONTH_NAME = new Intl.DateTimeFormat('en-NZ', { month: 'long', timeZone: 'UTC' });
const TONE_LABEL = { info: 'Information', warning: 'Warning', success: 'Done' };
const TONE_ICON = { info: 'i', warning: '!', success: '✓' };

/** The greeting shown before the first question. It is a reply like any other. */
const WELCOME = {
  kind: 'small-talk',
  answered: false,
  text: '',
  sources: [],
  actions: [],
  blocks: [
    {
      type: 'paragraph',
      md: [
        {
          type: 'para',
          inlines: [
            { type: 'bold', text: 'Kia ora!' },
            {
              type: 'text',
              text: " I'm Sister City Advisor. I answer questions about sister-city relationships, foreign interference and travel security, using guidance published by NZSIS, DPMC, MFAT and others. Every answer shows its sources and when it was last reviewed.",
            },
          ],
        },
        {
          type: 'para',
          inlines: [
            { type: 'text', text: 'Ask a question in your own words, or try one of these:' },
          ],
        },
      ],
    },
    { type: 'buttons', buttons: EXAMPLES.map((q) => ({ id: 'ask', label: q, value: q })) },
    {
      type: 'paragraph',
      md: [
        {
          type: 'para',
          inlines: [
            {
              type: 'text',
              text: 'Going overseas or hosting a visit? Run the pre-trip checklist first.',
            },
          ],
        },
      ],
    },
    {
      type: 'buttons',
      buttons: [
        {
          id: 'checklist:start',
          label: 'Start pre-trip checklist',
          value: 'pretrip',
          style: 'primary',
        },
        { id: 'checklist:my-trips', label: 'My trips' },
      ],
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// Small helpers

/** @param {string} id */
function byId(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The page is missing #${id}.`);
  return found;
}

const els = {
  log: byId('log'),
  typing: byId('typing'),
  composer: /** @type {HTMLFormElement} */ (byId('composer')),
  question: /** @type {HTMLTextAreaElement} */ (byId('question')),
  send: /** @type {HTMLButtonElement} */ (byId('send')),
  identity: /** @type {HTMLFormElement} */ (byId('identity')),
  name: /** @type {HTMLInputElement} */ (byId('user-name')),
  role: /** @type {HTMLSelectElement} */ (byId('user-role')),
  clear: /** @type {HTMLButtonElement} */ (byId('clear')),
  account: byId('account'),
  accountName: byId('account-name'),
  signOut: /** @type {HTMLButtonElement} */ (byId('sign-out')),
  consoleLink: /** @type {HTMLAnchorElement} */ (byId('console-link')),
  knowledgeLink: /** @type {HTMLAnchorElement} */ (byId('knowledge-link')),
};

/**
 * Creates an element with an optional class and text.
 * @param {string} tag
 * @param {string} [className]
 * @param {string} [text]
 */
function h(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** localStorage that never throws (private windows, full quota, storage turned off). */
const storage = {
  /** @param {string} key */
  get(key) {
    try {
      return window.localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  /** @param {string} key @param {string} value */
  set(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch {
      // Nothing to do: the chat still works, it just won't survive a reload.
    }
  },
  /** @param {string} key */
  remove(key) {
    try {
      window.localStorage.removeItem(key);
    } catch {
      // As above.
    }
  },
};

function randomHex(bytes) {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return Array.from(buf, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The browser's own id, made once and kept. */
function browserUserId() {
  let id = storage.get(KEYS.userId);
  if (!id || !/^web-[a-f0-9]{8,64}$/.test(id)) {
    id = `web-${randomHex(12)}`;
    storage.set(KEYS.userId, id);
  }
  return id;
}

/** Returns the href for http(s) URLs only; anything else is shown as plain text. */
function safeUrl(url) {
  try {
    const parsed = new URL(String(url));
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** "2024-10-08" → "8 October 2024", "2025-08" → "August 2025", "2025" → "2025". */
function formatDate(date) {
  if (typeof date !== 'string' || date === '' || date.toLowerCase() === 'undated') return 'undated';
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(date);
  if (!m) return date;
  const [, year, month, day] = m;
  if (!month) return year;
  const n = Number(month);
  if (n < 1 || n > 12) return date;
  const monthName = MONTH_NAME.format(new Date(Date.UTC(2000, n - 1, 1)));
  return day ? `${Number(day)} ${monthName} ${year}` : `${monthName} ${year}`;
}

/** @param {string} date */
function timeElement(date) {
  const text = formatDate(date);
  if (text === 'undated' || text === date) return document.createTextNode(text);
  const t = h('time', undefined, text);
  t.dateTime = date;
  return t;
}

// ---------------------------------------------------------------------------------------------
// State

const state = {
  baseId: browserUserId(),
  userId: '',
  /** @type {Array<any>} */
  history: [],
  busy: false,
  /** @type {EventSource | null} */
  events: null,
  /** @type {number | undefined} */
  reconnectTimer: undefined,
  /** With sign-in: who the server says we are, and the token state-changing requests carry. */
  /** @type {{id: string, csrfToken: string, roles: string[]} | null} */
  me: null,
};

function currentUserId() {
  if (state.me) return state.me.id;
  if (els.role.value === 'security') return SECURITY_CONTACT_ID;
  return els.role.value === 'curator' ? LOCAL_CURATOR_ID : state.baseId;
}

function isEntry(e) {
  if (!e || typeof e !== 'object') return false;
  if (e.who === 'user') return typeof e.text === 'string';
  if (e.streamId !== undefined && !Number.isInteger(e.streamId)) return false;
  return e.who === 'bot' && !!e.reply && typeof e.reply === 'object';
}

/** @param {string} userId */
function loadHistory(userId) {
  try {
    const parsed = JSON.parse(storage.get(KEYS.history(userId)) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(isEntry).slice(-HISTORY_LIMIT) : [];
  } catch {
    return [];
  }
}

/** @param {string} userId @param {Array<any>} history */
function saveHistory(userId, history) {
  const kept = history.slice(-HISTORY_LIMIT);
  const key = KEYS.history(userId);
  storage.set(key, JSON.stringify(kept));
}

function newEntryId() {
  return randomHex(6);
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** Appends inline runs (text, bold, link) to a parent. */
function renderInlines(parent, inlines) {
  if (!Array.isArray(inlines)) return;
  for (const run of inlines) {
    if (!run || typeof run.text !== 'string') continue;
    if (run.type === 'bold') parent.append(h('strong', undefined, run.text));
    else if (run.type === 'link') parent.append(link(run.text, run.url));
    else parent.append(document.createTextNode(run.text));
  }
}

/** A link that opens in a new tab, or plain text when the URL isn't http(s). */
function link(text, url) {
  const href = safeUrl(url);
  if (!href) return document.createTextNode(text || String(url ?? ''));
  const a = /** @type {HTMLAnchorElement} */ (h('a', undefined, text || href));
  a.href = href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  a.append(h('span', 'visually-hidden', ' (opens in a new tab)'));
  return a;
}

function renderMarkdown(md) {
  const frag = document.createDocumentFragment();
  if (!Array.isArray(md)) return frag;
  for (const block of md) {
    if (block?.type === 'para') {
      const p = h('p');
      renderInlines(p, block.inlines);
      frag.append(p);
    } else if (block?.type === 'list' && Array.isArray(block.items)) {
      const ul = h('ul');
      for (const item of block.items) {
        const li = h('li');
        renderInlines(li, item);
        ul.append(li);
      }
      frag.append(ul);
    }
  }
  return frag;
}

/** Plain text with blank lines between paragraphs, for replies without blocks. */
function renderPlain(text) {
  const frag = document.createDocumentFragment();
  for (const para of String(text).split(/\n{2,}/)) {
    if (para.trim()) frag.append(h('p', 'pre-line', para));
  }
  return frag;
}

function renderSources(block) {
  const box = h('div', 'sources');
  const sources = Array.isArray(block.sources) ? block.sources : [];
  if (sources.length) {
    box.append(h('p', 'sources-label', 'Sources'));
    const ul = h('ul', 'sources-list');
    for (const s of sources) {
      if (!s || typeof s !== 'object') continue;
      const li = h('li', 'source');
      li.append(link(String(s.title ?? s.url ?? 'Source'), s.url));
      const meta = h('span', 'source-meta');
      const publisher = typeof s.publisher === 'string' && s.publisher ? s.publisher : '';
      meta.append(document.createTextNode(publisher ? ` ${publisher}, ` : ' '));
      meta.append(timeElement(s.date));
      li.append(meta);
      ul.append(li);
    }
    box.append(ul);
  }
  if (typeof block.reviewed === 'string' && block.reviewed) {
    const p = h('p', 'reviewed', 'Last reviewed: ');
    p.append(timeElement(block.reviewed));
    box.append(p);
  }
  return box;
}

function renderNotice(block) {
  const tone = block.tone === 'warning' || block.tone === 'success' ? block.tone : 'info';
  const box = h('div', `notice notice--${tone}`);
  box.append(h('span', 'notice-icon', TONE_ICON[tone]));
  box.lastElementChild?.setAttribute('aria-hidden', 'true');
  const body = h('p', 'notice-text');
  body.append(h('span', 'visually-hidden', `${TONE_LABEL[tone]}: `));
  body.append(document.createTextNode(String(block.text ?? '')));
  box.append(body);
  return box;
}

/** Marks a block of an entry as used (feedback given, choice made) and saves it. */
function markUsed(entry, blockIndex, value) {
  if (!entry) return;
  entry.used = { ...(entry.used ?? {}), [blockIndex]: value };
  saveHistory(state.userId, state.history);
}

function renderButtons(block, entry, blockIndex) {
  const buttons = Array.isArray(block.buttons) ? block.buttons : [];
  const isFeedback = buttons.some((b) => b?.id === 'feedback');
  const group = h('div', isFeedback ? 'actions actions--feedback' : 'actions');
  group.setAttribute('role', 'group');
  if (isFeedback) {
    const prompt = h('span', 'actions-prompt', 'Was this helpful?');
    prompt.id = `prompt-${entry?.id ?? newEntryId()}-${blockIndex}`;
    group.setAttribute('aria-labelledby', prompt.id);
    group.append(prompt);
  } else {
    group.setAttribute('aria-label', 'Suggested questions and actions');
  }
  const used = entry?.used?.[blockIndex];
  for (const b of buttons) {
    if (!b || typeof b.id !== 'string' || typeof b.label !== 'string') continue;
    const style = b.style === 'primary' || b.style === 'danger' ? b.style : 'default';
    const btn = /** @type {HTMLButtonElement} */ (
      h('button', `button button--chip button--${style}`, b.label)
    );
    btn.type = 'button';
    if (isFeedback) {
      btn.setAttribute('aria-pressed', String(used === b.value));
      if (used !== undefined) btn.disabled = true;
    }
    btn.addEventListener('click', () => {
      if (state.busy) return;
      const payload = {
        action: b.value === undefined ? { id: b.id } : { id: b.id, value: b.value },
      };
      if (!isFeedback) {
        void send(payload, b.label);
        return;
      }
      const all = group.querySelectorAll('button');
      for (const other of all) other.disabled = true;
      btn.setAttribute('aria-pressed', 'true');
      void send(payload, b.label).then((result) => {
        if (result.ok) {
          markUsed(entry, blockIndex, b.value);
        } else {
          // Let them try again once the problem clears.
          btn.setAttribute('aria-pressed', 'false');
          for (const other of all) other.disabled = false;
        }
      });
    });
    group.append(btn);
  }
  return group;
}

function renderChoice(block, entry, blockIndex) {
  const box = h('div', 'choice');
  box.setAttribute('role', 'group');
  const question = h('p', 'choice-question', String(block.question ?? ''));
  question.id = `choice-${entry?.id ?? newEntryId()}-${blockIndex}`;
  box.setAttribute('aria-labelledby', question.id);
  box.append(question);
  const row = h('div', 'actions');
  const options = Array.isArray(block.options) ? block.options : [];
  const chosen = Array.isArray(entry?.used?.[blockIndex]) ? entry.used[blockIndex] : [];
  const answered = chosen.length > 0;
  if (block.multiple) {
    // Several answers: toggle the options, then send them together with Done.
    const selected = new Set();
    const toggles = [];
    for (const option of options) {
      if (!option || typeof option.label !== 'string') continue;
      const btn = /** @type {HTMLButtonElement} */ (
        h('button', 'button button--chip button--default', option.label)
      );
      btn.type = 'button';
      btn.setAttribute('aria-pressed', String(chosen.includes(option.value)));
      btn.disabled = answered;
      btn.addEventListener('click', () => {
        const on = !selected.has(option.value);
        if (on) selected.add(option.value);
        else selected.delete(option.value);
        btn.setAttribute('aria-pressed', String(on));
        done.disabled = selected.size === 0;
      });
      toggles.push([btn, option]);
      row.append(btn);
    }
    const done = /** @type {HTMLButtonElement} */ (
      h('button', 'button button--chip button--primary', 'Done')
    );
    done.type = 'button';
    done.disabled = true;
    done.addEventListener('click', () => {
      if (state.busy || selected.size === 0) return;
      const picked = toggles.filter(([, o]) => selected.has(o.value));
      for (const [b] of toggles) b.disabled = true;
      done.disabled = true;
      const value = picked.map(([, o]) => String(o.value ?? '')).join(',');
      const label = picked.map(([, o]) => o.label).join(', ');
      void send({ action: { id: String(block.id), value } }, label).then((result) => {
        if (result.ok) {
          markUsed(
            entry,
            blockIndex,
            picked.map(([, o]) => o.value),
          );
        } else {
          for (const [b] of toggles) b.disabled = false;
          done.disabled = false;
        }
      });
    });
    if (!answered) row.append(done);
    box.append(row);
    return box;
  }
  for (const option of options) {
    if (!option || typeof option.label !== 'string') continue;
    const btn = /** @type {HTMLButtonElement} */ (
      h('button', 'button button--chip button--default', option.label)
    );
    btn.type = 'button';
    const picked = chosen.includes(option.value);
    btn.setAttribute('aria-pressed', String(picked));
    if (answered) btn.disabled = true;
    btn.addEventListener('click', () => {
      if (state.busy) return;
      const toDisable = [...row.querySelectorAll('button')];
      for (const b of toDisable) b.disabled = true;
      btn.setAttribute('aria-pressed', 'true');
      const payload = { action: { id: String(block.id), value: String(option.value ?? '') } };
      void send(payload, option.label).then((result) => {
        if (result.ok) {
          markUsed(entry, blockIndex, [option.value]);
        } else {
          btn.setAttribute('aria-pressed', 'false');
          for (const b of toDisable) b.disabled = false;
        }
      });
    });
    row.append(btn);
  }
  box.append(row);
  return box;
}

/**
 * One message row: a visually hidden speaker label and a bubble.
 * @param {'user' | 'bot'} who
 */
function messageShell(who, extraClass = '') {
  const row = h('div', `msg msg--${who} ${extraClass}`.trim());
  row.append(h('span', 'visually-hidden', who === 'user' ? 'You: ' : 'Advisor: '));
  const bubble = h('div', 'bubble');
  row.append(bubble);
  return { row, bubble };
}

function renderUser(entry) {
  const { row, bubble } = messageShell('user');
  bubble.append(h('p', 'pre-line', entry.text));
  return row;
}

function renderReply(reply, entry) {
  const kind = typeof reply.kind === 'string' ? reply.kind : 'notice';
  const { row, bubble } = messageShell('bot', `msg--${kind.replace(/[^a-z-]/g, '')}`);
  const blocks = Array.isArray(reply.blocks) ? reply.blocks : [];
  blocks.forEach((block, i) => {
    switch (block?.type) {
      case 'paragraph':
        if (Array.isArray(block.md)) bubble.append(renderMarkdown(block.md));
        else if (typeof block.text === 'string') bubble.append(renderPlain(block.text));
        break;
      case 'sources':
        bubble.append(renderSources(block));
        break;
      case 'buttons':
        bubble.append(renderButtons(block, entry, i));
        break;
      case 'choice':
        bubble.append(renderChoice(block, entry, i));
        break;
      case 'notice':
        bubble.append(renderNotice(block));
        break;
      default:
        break;
    }
  });
  if (!bubble.childElementCount && typeof reply.text === 'string' && reply.text) {
    bubble.append(renderPlain(reply.text));
  }
  return row;
}

function renderEntry(entry) {
  const row = entry.who === 'user' ? renderUser(entry) : renderReply(entry.reply, entry);
  if (entry.id) row.dataset.entry = entry.id;
  return row;
}

/** Re-renders the whole log without making screen readers read it all out again. */
function renderAll() {
  els.log.setAttribute('aria-live', 'off');
  const frag = document.createDocumentFragment();
  if (state.history.length === 0) frag.append(renderReply(WELCOME, null));
  for (const entry of state.history) frag.append(renderEntry(entry));
  els.log.replaceChildren(frag);
  reveal(null);
  requestAnimationFrame(() => els.log.setAttribute('aria-live', 'polite'));
}

/** Adds an entry to the history and the log; returns its row. */
function appendEntry(entry) {
  if (state.history.length === 0) {
    // Keep the greeting as the first message so the conversation reads the same after a reload.
    state.history.push({ id: newEntryId(), who: 'bot', reply: WELCOME });
    const shownWelcome = els.log.querySelector('.msg:not([data-entry])');
    if (shownWelcome) shownWelcome.dataset.entry = state.history[0].id;
  }
  entry.id ??= newEntryId();
  state.history.push(entry);
  while (state.history.length > HISTORY_LIMIT) {
    const dropped = state.history.shift();
    els.log.querySelector(`[data-entry="${dropped.id}"]`)?.remove();
  }
  saveHistory(state.userId, state.history);
  const row = renderEntry(entry);
  els.log.append(row);
  return row;
}

/**
 * Brings new messages into view: the start of `first` (so a long answer is read from the top),
 * or the end of the log. Works whether the log scrolls by itself or the whole page does.
 */
function reveal(first) {
  const target = first ?? els.log.lastElementChild;
  target?.scrollIntoView({ block: first ? 'start' : 'end' });
}

/** Shows replies (from /api/chat or the event stream) for the current user. */
function showReplies(replies) {
  let first = null;
  for (const reply of replies) {
    if (!reply || typeof reply !== 'object') continue;
    const row = appendEntry({ who: 'bot', reply });
    first ??= row;
  }
  reveal(first);
}

/**
 * Shows a message the server sent later. Its number (`streamId`) is kept with it, so an
 * update to it can find it again, even after a reload.
 */
function showPushed(reply, streamId) {
  if (!reply || typeof reply !== 'object') return;
  const entry = { who: 'bot', reply };
  if (Number.isInteger(streamId) && streamId > 0) entry.streamId = streamId;
  reveal(appendEntry(entry));
}

/**
 * Redraws, in place, a message the server has updated (a case whose status changed). What
 * changed comes as a short message of its own, so the redrawn one is not read out again.
 */
function applyUpdate(data) {
  if (!data || typeof data !== 'object' || !Number.isInteger(data.replaces)) return;
  const { replaces, id: _id, ...reply } = data;
  const entry = state.history.find((e) => e.who === 'bot' && e.streamId === replaces);
  // Not on this page (cleared, or older than the saved history): nothing to redraw.
  if (!entry) return;
  entry.reply = reply;
  delete entry.used;
  saveHistory(state.userId, state.history);
  const old = els.log.querySelector(`[data-entry="${entry.id}"]`);
  if (!old) return;
  const active = old.contains(document.activeElement) ? document.activeElement : null;
  const row = renderEntry(entry);
  row.setAttribute('aria-live', 'off');
  old.replaceWith(row);
  if (active) {
    // Keep keyboard users where they were: the same button if it is still there.
    const same = [...row.querySelectorAll('button')].find(
      (b) => b.textContent === active.textContent && !b.disabled,
    );
    (same ?? els.question).focus();
  }
}

/** A transient error bubble. It is not saved: the problem may be gone after a reload. */
function showError(message, kept) {
  const { row, bubble } = messageShell('bot', 'msg--error msg--transient');
  bubble.append(renderNotice({ tone: 'warning', text: message }));
  if (kept)
    bubble.append(h('p', 'hint', 'Your question is still in the box below, ready to send again.'));
  els.log.append(row);
  reveal(row);
}

// ---------------------------------------------------------------------------------------------
// Talking to the server

function setBusy(busy) {
  state.busy = busy;
  els.send.disabled = busy;
  els.typing.hidden = !busy;
  els.log.setAttribute('aria-busy', String(busy));
  document.body.classList.toggle('is-busy', busy);
}

class ChatError extends Error {}

/**
 * Sends a text or action to /api/chat and shows the replies.
 * @param {{text: string} | {action: {id: string, value?: string}}} payload
 * @param {string} shown what to show as the user's message
 * @returns {Promise<{ok: boolean, errorReply: boolean}>}
 */
async function send(payload, shown) {
  if (state.busy) return { ok: false, errorReply: false };
  const userId = state.userId;
  const userName = els.name.value.trim().slice(0, 100);
  const userEntry = { who: 'user', text: shown };
  const userRow = appendEntry(userEntry);
  reveal(null);
  setBusy(true);
  // Signed in, the server knows who we are: the page sends only the message and the token.
  const body = JSON.stringify(
    state.me ? payload : { userId, ...(userName ? { userName } : {}), ...payload },
  );
  try {
    let res;
    try {
      res = await fetch('/api/chat', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(state.me ? { 'x-csrf-token': state.me.csrfToken } : {}),
        },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw new ChatError(
        err instanceof DOMException && err.name === 'TimeoutError'
          ? 'The advisor took too long to answer. Please try again in a moment.'
          : "I couldn't reach the server. Check your connection, then try again in a moment.",
      );
    }
    /** @type {any} */
    let data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    if (res.status === 401 && state.me) {
      location.assign('/auth/login');
      throw new ChatError('Your sign-in has expired. Taking you to sign in again…');
    }
    if (!res.ok || !data || !Array.isArray(data.replies)) {
      const message =
        typeof data?.error?.message === 'string' && data.error.message
          ? data.error.message
          : `Something went wrong on our side (error ${res.status}). Please try again.`;
      throw new ChatError(message);
    }
    if (userId !== state.userId) {
      // The role changed while we waited: file the replies under the conversation they belong to.
      const other = loadHistory(userId);
      for (const reply of data.replies) other.push({ id: newEntryId(), who: 'bot', reply });
      saveHistory(userId, other);
      return { ok: true, errorReply: false };
    }
    showReplies(data.replies);
    return { ok: true, errorReply: data.replies.some((r) => r?.kind === 'error') };
  } catch (err) {
    // The message wasn't delivered: keep it on screen, marked, but out of the saved history.
    const at = state.history.indexOf(userEntry);
    if (at >= 0) {
      state.history.splice(at, 1);
      saveHistory(state.userId, state.history);
    }
    userRow.classList.add('msg--failed');
    userRow.removeAttribute('data-entry');
    userRow.querySelector('.bubble')?.append(h('p', 'failed-note', 'Not sent'));
    const message =
      err instanceof ChatError ? err.message : 'Something went wrong. Please try again.';
    showError(message, 'text' in payload);
    return { ok: false, errorReply: false };
  } finally {
    setBusy(false);
  }
}

async function submitQuestion() {
  if (state.busy) return;
  const text = els.question.value;
  if (!text.trim()) {
    els.question.focus();
    return;
  }
  els.question.value = '';
  const result = await send({ text }, text.trim());
  // Keep what they typed if it didn't go through (or the bot couldn't take it, e.g. too long),
  // unless they've already started typing something new.
  if ((!result.ok || result.errorReply) && els.question.value === '') els.question.value = text;
  els.question.focus();
}

// ---------------------------------------------------------------------------------------------
// Messages the bot sends later (e.g. a security contact's reply)

function connectEvents() {
  window.clearTimeout(state.reconnectTimer);
  state.events?.close();
  state.events = null;
  const root = document.documentElement;
  root.dataset.live = 'connecting';
  if (!('EventSource' in window)) {
    pollInbox();
    return;
  }
  const userId = state.userId;
  const es = new EventSource(
    state.me ? '/api/events' : `/api/events?userId=${encodeURIComponent(userId)}`,
  );
  state.events = es;
  es.addEventListener('open', () => {
    root.dataset.live = 'open';
  });
  es.addEventListener('message', (event) => {
    if (userId !== state.userId) return;
    try {
      showPushed(JSON.parse(event.data), Number(event.lastEventId));
    } catch {
      // Ignore a malformed event rather than break the page.
    }
  });
  es.addEventListener('update', (event) => {
    if (userId !== state.userId) return;
    try {
      applyUpdate(JSON.parse(event.data));
    } catch {
      // As above.
    }
  });
  es.addEventListener('error', () => {
    root.dataset.live = 'reconnecting';
    // The browser retries by itself unless the stream was refused outright.
    if (es.readyState === EventSource.CLOSED && state.events === es) {
      state.reconnectTimer = window.setTimeout(connectEvents, 15_000);
    }
  });
}

/** Fallback for browsers without EventSource. */
function pollInbox() {
  const userId = state.userId;
  fetch(state.me ? '/api/inbox' : `/api/inbox?userId=${encodeURIComponent(userId)}`, {
    headers: { accept: 'application/json' },
  })
    .then((res) => (res.ok ? res.json() : null))
    .then((data) => {
      if (userId !== state.userId) return;
      for (const m of Array.isArray(data?.messages) ? data.messages : []) {
        if (!m || typeof m !== 'object') continue;
        const { id, ...reply } = m;
        showPushed(reply, id);
      }
      for (const u of Array.isArray(data?.updates) ? data.updates : []) applyUpdate(u);
    })
    .catch(() => {})
    .finally(() => {
      state.reconnectTimer = window.setTimeout(pollInbox, 20_000);
    });
}

// ---------------------------------------------------------------------------------------------
// Identity and wiring

function switchUser() {
  state.userId = currentUserId();
  if (!state.me) {
    // Local mode: the consoles learn the chosen role from this cookie (loopback only).
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is not in every browser this page supports.
    document.cookie = `sca_local_user=${encodeURIComponent(state.userId)}; path=/; SameSite=Strict`;
    els.consoleLink.hidden = els.role.value !== 'security';
    els.knowledgeLink.hidden = els.role.value !== 'curator';
  }
  state.history = loadHistory(state.userId);
  renderAll();
  connectEvents();
}

/** With sign-in on, asks the server who we are; the role picker gives way to the account. */
async function whoAmI() {
  let res;
  try {
    res = await fetch('/api/me', { headers: { accept: 'application/json' } });
  } catch {
    return;
  }
  if (res.status === 401) {
    location.assign('/auth/login');
    return;
  }
  const me = res.ok ? await res.json().catch(() => null) : null;
  if (!me?.signInRequired || !me.signedIn || typeof me.id !== 'string') return;
  state.me = { id: me.id, csrfToken: String(me.csrfToken), roles: me.roles ?? [] };
  els.identity.hidden = true;
  els.account.hidden = false;
  els.accountName.textContent = me.name || me.email || 'you';
  els.consoleLink.hidden = !state.me.roles.includes('contact');
  els.knowledgeLink.hidden = !state.me.roles.includes('curator');
  els.signOut.addEventListener('click', () => void signOut());
}

async function signOut() {
  if (!state.me) return;
  try {
    const res = await fetch('/auth/logout', {
      method: 'POST',
      headers: { accept: 'application/json', 'x-csrf-token': state.me.csrfToken },
    });
    const data = await res.json().catch(() => null);
    location.assign(typeof data?.location === 'string' ? data.location : '/auth/signed-out');
  } catch {
    showError("I couldn't reach the server to sign you out. Please try again.", false);
  }
}

function init() {
  els.name.value = storage.get(KEYS.userName) ?? '';
  const savedRole = storage.get(KEYS.role);
  els.role.value = savedRole === 'security' || savedRole === 'curator' ? savedRole : 'staff';

  els.identity.addEventListener('submit', (e) => {
    e.preventDefault();
    els.question.focus();
  });
  els.name.addEventListener('input', () => storage.set(KEYS.userName, els.name.value.trim()));
  els.role.addEventListener('change', () => {
    storage.set(KEYS.role, els.role.value);
    switchUser();
  });
  els.clear.addEventListener('click', () => {
    state.history = [];
    storage.remove(KEYS.history(state.userId));
    renderAll();
    els.question.focus();
  });

  els.composer.addEventListener('submit', (e) => {
    e.preventDefault();
    void submitQuestion();
  });
  els.question.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void submitQuestion();
    }
  });

  // Who we are first (signed in, or local mode), then the conversation.
  void whoAmI().finally(switchUser);
}

init();
