import { beforeAll, describe, expect, it } from 'vitest';
import { answerText } from '../../src/answer.js';
import { type Knowledge, loadKnowledge } from '../../src/knowledge/index.js';
import { Actions } from '../../src/replies.js';
import { DEFAULT_MODEL, Retriever } from '../../src/retrieval/index.js';
import { SHIPPED_KNOWLEDGE } from '../helpers/server.js';

/** Questions staff really ask, in their own words, with the entry (or entries) that should answer. */
const IN_SCOPE: [string, string | string[]][] = [
  ['What counts as foreign interference?', 'what-is-foreign-interference'],
  ['how is interference different from normal diplomacy', 'what-is-foreign-interference'],
  ['why are councils targets for foreign interference', 'why-councils-are-targets'],
  [
    'what did NZSIS say about councils and ports',
    ['nzsis-threat-report-2024', 'why-councils-are-targets', 'nzsis-advice-to-local-government'],
  ],
  ['what did the 2025 threat report say', 'nzsis-threat-report-2025'],
  ['what is an insider threat', 'insider-threat'],
  ['is foreign interference a crime now', 'foreign-interference-law-2025'],
  ['how do I report a concern', 'how-to-report-a-concern'],
  ['someone keeps asking me about the port company', 'signs-of-elicitation'],
  ['what should I do if Im approached', 'what-to-do-if-approached'],
  [
    'can I accept a gift from a visiting delegation',
    ['gifts-from-visiting-delegations', 'gifts-and-hospitality'],
  ],
  ['our host city is paying for the trip is that ok', 'hosted-and-sponsored-travel'],
  ['what should I do about phones and laptops on a trip', 'phones-and-laptops-overseas'],
  ['can I use hotel wifi', 'wifi-and-devices-abroad'],
  ['how do I register on safetravel', 'safetravel-registration-and-advice-levels'],
  ['what should we do before an overseas trip', 'before-a-trip-checklist'],
  ['what happens after we get back from a trip', 'after-a-trip-debrief'],
  ["we're hosting a delegation next week", 'hosting-a-foreign-delegation'],
  ['should we sign an MOU with a foreign city', 'agreements-with-foreign-entities'],
  ['a foreign group wants to hire the town hall', 'letting-council-venues-and-spaces'],
  ['what are the PSR resources for elected members', 'protective-security-for-elected-members'],
  ['can we withhold an NZSIS briefing under LGOIMA', 'lgoima-withholding-for-security'],
  ['how many councils have twin towns', 'sister-city-relationships-in-nz'],
];

/**
 * Questions two entries answer about equally well. The answerability model may decline to choose
 * between them; when it does, the reply must still lead to a right entry as the closest guidance.
 */
const CLOSE_CALLS: [string, string[]][] = [
  ['whats the NZSIS phone number', ['how-to-report-a-concern', 'nzsis-online-form']],
  // Two misspelt words that other entries' examples use and this entry's do not: since round 10
  // the entry's own remit score counts them against it, and the question may be refused with
  // the right entry offered (typos still find it first).
  ['foriegn intereference definition', ['what-is-foreign-interference']],
  [
    'do I have to declare koha',
    [
      'gifts-from-visiting-delegations',
      'declaring-gifts-and-overseas-trips',
      'gifts-and-hospitality',
    ],
  ],
];

/**
 * The five questions issue #11 opened with, as a new user typed them. Each must lead to a right
 * entry: answered from it, or, when the answerability model is not sure enough, offering it as
 * the closest guidance. In round 11 the first and third are refused with the entry offered.
 */
const ISSUE_EXAMPLES: [string, string[]][] = [
  [
    'Should we sign an MOU with a Chinese state-owned company during the visit?',
    ['agreements-with-foreign-entities'],
  ],
  [
    'what are the signs someone is trying to recruit me',
    ['what-to-do-if-approached', 'signs-of-cultivation'],
  ],
  [
    'what do I do if someone from the delegation asks about our port',
    ['signs-of-elicitation', 'hosting-a-foreign-delegation', 'what-to-do-if-approached'],
  ],
  ['How do I report a concern about someone from the delegation?', ['how-to-report-a-concern']],
  ['can I bring my council laptop and phone to China', ['phones-and-laptops-overseas']],
];

const OUT_OF_SCOPE = [
  "what's the weather in Invercargill?",
  'who won the rugby last night',
  'what is the council budget for next year',
  'recipe for pavlova',
  'how do I apply for a visa',
  'what time does the library open',
];

let knowledge: Knowledge;
let retriever: Retriever;
beforeAll(async () => {
  knowledge = await loadKnowledge(SHIPPED_KNOWLEDGE);
  retriever = new Retriever(knowledge);
});

describe('answer quality on the shipped knowledge', () => {
  it.each(IN_SCOPE)('"%s" is answered from %s', (q, expected) => {
    const a = answerText(knowledge, retriever, q, '2026-11-27');
    expect(a.answered).toBe(true);
    expect([expected].flat()).toContain(a.top?.entry.id);
  });

  it.each([...CLOSE_CALLS, ...ISSUE_EXAMPLES])(
    '"%s" is answered from, or offers, one of %s',
    (q, expected) => {
      const a = answerText(knowledge, retriever, q, '2026-11-27');
      const offered = a.answered
        ? a.top?.entry.id
        : a.reply.blocks
            .flatMap((b) => (b.type === 'buttons' ? b.buttons : []))
            .find((b) => b.id === Actions.showEntry)?.value;
      expect(expected).toContain(offered);
    },
  );

  it('judges guidance without curated declines by trees fitted without the remit signals', () => {
    expect(retriever.threshold).toBe(DEFAULT_MODEL.threshold);
    const bare = new Retriever({ ...knowledge, declines: [] });
    expect(bare.threshold).toBe(DEFAULT_MODEL.withoutRemit?.threshold);
    expect(bare.threshold).not.toBe(DEFAULT_MODEL.threshold);
    // Still answers what the guidance covers and refuses what it does not.
    const q = 'can I take my council laptop to China';
    expect(answerText(knowledge, bare, q, '2026-11-27').top?.entry.id).toBe(
      answerText(knowledge, retriever, q, '2026-11-27').top?.entry.id,
    );
    expect(answerText({ ...knowledge, declines: [] }, bare, q, '2026-11-27').answered).toBe(true);
    expect(answerText(knowledge, bare, 'recipe for pavlova', '2026-11-27').answered).toBe(false);
  });

  it.each(OUT_OF_SCOPE)('"%s" is refused honestly', (q) => {
    const a = answerText(knowledge, retriever, q, '2026-11-27');
    expect(a.answered).toBe(false);
    expect(['no-guidance', 'declined']).toContain(a.reply.kind);
  });
});
