import { formatDate } from './clock.js';
import type { Entry, Knowledge } from './knowledge/index.js';
import { curatedText, markdownToPlain } from './markdown.js';
import type { Block, Button, Reply } from './model.js';
import type { Hit, OutOfScope, SmallTalk } from './retrieval/index.js';

/** Action ids the core understands. Adapters pass them back unchanged. */
export const Actions = {
  /** value: `up:<entryId>` or `down:<entryId>` */
  feedback: 'feedback',
  /** value: an entry id; shows that entry */
  showEntry: 'show-entry',
  /** value: a question to ask */
  ask: 'ask',
  help: 'help',
  /** value: the entry the question follows, if any */
  askContact: 'case:ask',
} as const;

/** Human names for knowledge tags, used when listing what the bot can help with. */
const TAG_LABELS: Record<string, string> = {
  interference: 'what foreign interference is, and what it is not',
  councils: 'why councils are targets',
  nzsis: 'what NZSIS has said to local government',
  law: 'the foreign interference law (facts, not legal advice)',
  reporting: 'how to report a concern',
  approaches: 'spotting and handling approaches',
  gifts: 'gifts, hospitality and koha',
  travel: 'travel security and SafeTravel',
  devices: 'phones and laptops when travelling',
  hosting: 'hosting delegations',
  agreements: 'agreements and MOUs with foreign partners',
  'elected-members': 'protective security for elected members',
  information: 'information requests (LGOIMA)',
  international: 'what Australia, the UK and Canada do',
  'sister-cities': 'sister-city relationships and reviews',
};

const EXAMPLE_QUESTIONS = [
  'What counts as foreign interference?',
  'How do I report a concern?',
  'What should I do about phones and laptops on a trip?',
];

/** The topics the shipped knowledge covers, in a stable order. */
export function topicsOf(knowledge: Knowledge): string[] {
  const tags = new Set(knowledge.entries.flatMap((e) => e.tags));
  return Object.entries(TAG_LABELS)
    .filter(([tag]) => tags.has(tag))
    .map(([, label]) => label);
}

/** An answer from one guidance entry, with sources, review date, feedback and related entries. */
export function answerReply(
  entry: Entry,
  related: Hit[],
  opts: { score?: number; today: string },
): Reply {
  const blocks: Block[] = [
    { type: 'paragraph', text: curatedText(`**${entry.title}**\n\n${entry.answer}`) },
    { type: 'sources', sources: entry.sources, reviewed: entry.reviewed },
  ];
  if (entry.reviewBy < opts.today) {
    blocks.push({
      type: 'notice',
      tone: 'warning',
      text: `This guidance was due for review on ${formatDate(entry.reviewBy)}. Check with your security contact for anything newer.`,
    });
  }
  blocks.push(feedbackButtons(entry.id));
  blocks.push(askContactButton(entry.id));
  blocks.push(...relatedBlocks(related.map((h) => h.entry)));
  return { kind: 'answer', blocks, entryId: entry.id, score: opts.score };
}

/** A button that shows an entry, labelled with its title. */
function entryButton(entry: Entry): Button {
  return { id: Actions.showEntry, label: entry.title, value: entry.id };
}

/** "Related questions:" and a button for each entry, or nothing when there are none. */
export function relatedBlocks(entries: Entry[]): Block[] {
  if (!entries.length) return [];
  return [
    { type: 'paragraph', text: 'Related questions:' },
    {
      type: 'buttons',
      buttons: entries.map(entryButton),
    },
  ];
}

/** The honest "no guidance" reply. A weak match is offered as a suggestion, never as the answer. */
export function noGuidanceReply(knowledge: Knowledge, weak?: Hit): Reply {
  const topics = topicsOf(knowledge)
    .map((t) => `- ${t}`)
    .join('\n');
  const blocks: Block[] = [
    {
      type: 'paragraph',
      text: "Sorry, I don't have guidance on that. I only answer from the council's curated guidance on sister-city relationships and foreign interference, and I won't guess.",
    },
    { type: 'paragraph', text: curatedText(`I can help with:\n${topics}`) },
    {
      type: 'paragraph',
      text: "If you're worried about a security matter, talk to your council's security contact.",
    },
  ];
  const buttons: Button[] = weak
    ? [entryButton(weak.entry)]
    : EXAMPLE_QUESTIONS.map((q) => ({ id: Actions.ask, label: q, value: q }));
  blocks.push({
    type: 'paragraph',
    text: weak ? 'The closest guidance I have, in case it helps:' : 'Try asking:',
  });
  blocks.push({ type: 'buttons', buttons });
  blocks.push(askContactButton());
  return { kind: 'no-guidance', blocks, score: weak?.score };
}

/**
 * The reply to a near miss: no answer, but the closest entries to tap. It leaves out the list of
 * everything the bot covers, which would name the very topic just refused.
 */
export function unsureReply(closest: Entry[], score?: number): Reply {
  return {
    kind: 'no-guidance',
    blocks: [
      {
        type: 'paragraph',
        text:
          closest.length === 1
            ? "I'm not sure I have guidance on exactly that, and I won't guess. This is the closest I have. Is it what you need?"
            : "I'm not sure I have guidance on exactly that, and I won't guess. These are the closest I have. Is one of them what you need?",
      },
      {
        type: 'buttons',
        buttons: closest.map(entryButton),
      },
      {
        type: 'paragraph',
        text: "If not, try asking in other words. If you're worried about a security matter, talk to your council's security contact.",
      },
      askContactButton(),
    ],
    score,
  };
}

/** Replies to greetings, thanks, help and goodbyes. */
export function smallTalkReply(kind: SmallTalk): Reply {
  const intro =
    "I'm Sister City Advisor. I answer questions about sister-city relationships, foreign interference and travel security, from guidance published by NZSIS, DPMC, MFAT and others. Every answer shows its sources and when it was last reviewed.";
  const text: Record<SmallTalk, string> = {
    greeting: `Kia ora! ${intro}`,
    help: `${intro}\n\nAsk me a question in your own words, or try one of these. Before an overseas trip or a visit, type **pretrip** for the pre-trip checklist; **my trips** shows the ones you've done.`,
    thanks: "You're welcome. Ask me anything else about sister cities or foreign interference.",
    goodbye: 'Ka kite anō. Come back any time.',
  };
  const blocks: Block[] = [{ type: 'paragraph', text: text[kind] }];
  if (kind === 'greeting' || kind === 'help') {
    blocks.push({
      type: 'buttons',
      buttons: EXAMPLE_QUESTIONS.map((q) => ({ id: Actions.ask, label: q, value: q })),
    });
  }
  return { kind: 'small-talk', blocks };
}

/** Helpful / Not helpful buttons for an answer. */
export function feedbackButtons(id: string): Block {
  return {
    type: 'buttons',
    buttons: [
      { id: Actions.feedback, label: 'Helpful', value: `up:${id}` },
      { id: Actions.feedback, label: 'Not helpful', value: `down:${id}` },
    ],
  };
}

/** The "Ask the security contact" button, under every answer and every refusal. */
export function askContactButton(entryId?: string): Block {
  return {
    type: 'buttons',
    buttons: [
      {
        id: Actions.askContact,
        label: 'Ask the security contact',
        ...(entryId ? { value: entryId } : {}),
      },
    ],
  };
}

const OUT_OF_SCOPE_TEXT: Record<OutOfScope, { text: string; entries: string[] }> = {
  person: {
    text: "I can't say whether any person or group is working for a foreign state, and I won't guess. That needs facts I don't have, and a wrong guess can harm people. If someone's behaviour worries you, write down what happened and tell your council's security contact, or NZSIS on 0800 747 224.",
    entries: ['how-to-report-a-concern', 'signs-of-elicitation'],
  },
  legal: {
    text: "I can give facts about the law, but not legal advice on a particular situation. Whether something is an offence depends on the facts, so please talk to your council's legal counsel.",
    entries: ['foreign-interference-law-2025'],
  },
  political: {
    text: "I don't give political opinions, and decisions about relationships are for the council to make. I can share factual, sourced summaries, such as what NZSIS has said about the risks to councils.",
    entries: ['why-councils-are-targets', 'sister-city-relationships-in-nz'],
  },
  emergency: {
    text: "If someone is in danger now, don't wait for a chat bot. In New Zealand, call 111. Overseas, contact the nearest New Zealand embassy or MFAT's consular emergency service. Then tell your council's security contact when it is safe to do so.",
    entries: [],
  },
  evasion: {
    text: "I can't help with getting round the law or a border inspection. The safest approach is to travel with as little as possible: a loan device that holds only what the trip needs.",
    entries: ['phones-and-laptops-overseas'],
  },
  'it-support': {
    text: "That's one for your council's IT service desk. I only cover sister-city relationships, foreign interference and travel security.",
    entries: [],
  },
  'council-services': {
    text: "That's outside what I cover. Your council's customer services team can help with rates, rubbish, dogs, parking and consents. I only cover sister-city relationships, foreign interference and travel security.",
    entries: [],
  },
  task: {
    text: "I can't write, book, send or set things up for you. I answer questions from the council's curated guidance, with sources, so you can use the facts in your own work. Ask me what the guidance says on the topic.",
    entries: [],
  },
  'travel-logistics': {
    text: "That's a travel-planning question I can't help with: bookings, visas, weather, money and insurance are for your council's travel provider or MFAT's SafeTravel. I cover the security side of trips: devices, approaches, gifts and what to do before, during and after.",
    entries: ['before-a-trip-checklist', 'safetravel-registration-and-advice-levels'],
  },
  'personal-data': {
    text: "I don't share personal details about anyone. To reach your security contact or a colleague, use your council's usual channels.",
    entries: [],
  },
};

/** The reply for a question the bot declines in its own way (see `detectOutOfScope`). */
export function outOfScopeReply(knowledge: Knowledge, kind: OutOfScope): Reply {
  const { text, entries } = OUT_OF_SCOPE_TEXT[kind];
  const blocks: Block[] = [
    { type: 'notice', tone: kind === 'emergency' ? 'warning' : 'info', text },
  ];
  const buttons = entries
    .map((id) => knowledge.byId.get(id))
    .filter((e): e is Entry => e !== undefined)
    .map(entryButton);
  if (buttons.length) blocks.push({ type: 'buttons', buttons });
  return { kind: 'declined', blocks };
}

/** A short message for something the user did wrong, saying what to do instead. */
export function errorReply(text: string): Reply {
  return { kind: 'error', blocks: [{ type: 'notice', tone: 'warning', text }] };
}

/** A short confirmation. */
export function noticeReply(
  kind: Reply['kind'],
  text: string,
  tone: 'info' | 'success' = 'info',
): Reply {
  return { kind, blocks: [{ type: 'notice', tone, text }] };
}

/** Renders a reply as plain text, as a person would read it in a terminal or a notification. */
export function replyToPlain(reply: Reply): string {
  return plainStart(reply, Number.POSITIVE_INFINITY);
}

/**
 * The start of `replyToPlain(reply)`, at least `enough` characters of it where the reply has
 * them: it stops after the block that reaches that length, since a preview needs the start of a
 * reply, not its sources. (A function of its own, not an optional argument of `replyToPlain`,
 * which is passed to `map`.)
 */
export function plainStart(reply: Reply, enough: number): string {
  const parts: string[] = [];
  let length = 0;
  for (const b of reply.blocks) {
    if (length >= enough) break;
    for (const part of blockPlain(b)) {
      parts.push(part);
      length += part.length + 2;
    }
  }
  return parts.join('\n\n');
}

/** One block as plain text: its paragraphs, none for a block with nothing to read. */
function blockPlain(b: Block): string[] {
  switch (b.type) {
    case 'paragraph':
      return [markdownToPlain(b.text)];
    case 'notice':
      return [b.text];
    case 'sources': {
      const lines = b.sources.map(
        (s) => `- ${s.title}, ${s.publisher}, ${formatDate(s.date)}: ${s.url}`,
      );
      const sources = `Sources:\n${lines.join('\n')}`;
      return b.reviewed ? [sources, `Last reviewed: ${formatDate(b.reviewed)}`] : [sources];
    }
    case 'choice':
      return [`${b.question}\n${b.options.map((o) => `- ${o.label}`).join('\n')}`];
    case 'buttons': {
      const options = b.buttons.filter(
        (x) => x.id !== Actions.feedback && x.id !== Actions.askContact,
      );
      return options.length ? [options.map((x) => `- ${x.label}`).join('\n')] : [];
    }
    default:
      return [];
  }
}
