// The security contact's console: live updates. The pages work without this script; with it,
// a case that changes elsewhere (a chat button, another contact, the reporter) is redrawn here.
// Only HTML this server rendered is inserted, parsed with DOMParser.

const root = document.documentElement;
/** @type {HTMLElement | null} */
const status = document.createElement('p');
status.className = 'visually-hidden';
status.setAttribute('role', 'status');
document.body.append(status);

/** True while the person is part-way through a form, so it is not redrawn under them. */
function busy(/** @type {Element} */ el) {
  const active = document.activeElement;
  if (active && el.contains(active) && active !== document.body) return true;
  return [...el.querySelectorAll('textarea')].some((t) => t.value.trim() !== '');
}

async function refresh() {
  let html;
  try {
    const res = await fetch(location.href, { headers: { accept: 'text/html' } });
    if (!res.ok) return;
    html = await res.text();
  } catch {
    return;
  }
  const fresh = new DOMParser().parseFromString(html, 'text/html');
  let changed = false;
  for (const el of document.querySelectorAll('[data-live]')) {
    const key = el.getAttribute('data-live');
    const next = fresh.querySelector(`[data-live="${key}"]`);
    if (!next || busy(el) || next.innerHTML === el.innerHTML) continue;
    el.replaceWith(document.importNode(next, true));
    changed = true;
  }
  if (changed) status.textContent = 'Updated just now.';
}

function connect() {
  if (!('EventSource' in window)) return;
  const here = document.querySelector('[data-case]')?.getAttribute('data-case');
  const es = new EventSource('/console/cases/events');
  es.addEventListener('open', () => {
    root.dataset.live = 'open';
  });
  es.addEventListener('case', (event) => {
    let id = '';
    try {
      id = String(JSON.parse(event.data).id);
    } catch {
      return;
    }
    if (!here || here === id) void refresh();
  });
  es.addEventListener('error', () => {
    root.dataset.live = 'reconnecting';
  });
}

connect();
// Countdowns move with the clock even when no case changes.
window.setInterval(() => void refresh(), 60_000);
document.getElementById('flash')?.focus();
