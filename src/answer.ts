import { type Entry, findCouncils, findPartnerCities, type Knowledge } from './knowledge/index.js';
import type { Reply } from './model.js';
import {
  answerReply,
  noGuidanceReply,
  outOfScopeReply,
  registerReply,
  smallTalkReply,
} from './replies.js';
import {
  analyse,
  type DenseHit,
  detectOutOfScope,
  detectSmallTalk,
  type Hit,
  type OutOfScope,
  type Retrieval,
  type Retriever,
  stripGreeting,
  stripNoise,
} from './retrieval/index.js';

/** A suggestion below this coverage is too weak even to offer as "the closest guidance". */
const SUGGEST_COVERAGE = 0.3;

/** The outcome of answering one question. */
export interface Answer {
  reply: Reply;
  answered: boolean;
  /** The best entry, whether or not it was confident enough to answer. */
  top?: Hit;
  /** Set when the question was declined as out of scope. */
  declined?: OutOfScope;
  /** Ranked entry ids considered, best first (for evaluation). */
  ranked: string[];
  /** The retrieval behind a guidance answer or refusal, for an optional LLM rewrite. */
  retrieval?: Retrieval;
}

/** True when the question is about sister-city ties ("sister city", "twin", "partner city"). */
function asksAboutTies(text: string): boolean {
  return (
    analyse(text).some((g) => g.includes('sistercity')) ||
    /\b(partner|friendship) cit(y|ies)\b|\b(twinned|partnered|paired|linked) (with|to)\b/i.test(
      text,
    )
  );
}

/**
 * Answers from the sister-city register. A question that asks about ties ("Hamilton's sister
 * cities") goes to the register first; one that only names both sides of a tie ("Invercargill's
 * MOU with Suqian") goes there only when no guidance entry answers it.
 */
function fromRegister(
  knowledge: Knowledge,
  text: string,
): { answer: Answer; onlyIfNoGuidance: boolean } | undefined {
  const register = knowledge.register;
  if (!register) return undefined;
  const partners = findPartnerCities(register, text);
  const councils = findCouncils(register, text);
  const council = partners[0]?.council ?? councils[0];
  // Naming a place is not enough: "just got back from Kumagaya" is about the trip, not the tie.
  const bothSides = partners.some((p) => councils.includes(p.council));
  const asks = asksAboutTies(text);
  if (!council || !(bothSides || asks)) return undefined;
  const reply = registerReply(register, council, partners.find((p) => p.council === council)?.rel);
  return {
    answer: { reply, answered: true, ranked: reply.entryId ? [reply.entryId] : [] },
    onlyIfNoGuidance: !asks,
  };
}

/** Where a question goes before any search: small talk, a declined kind, or the search itself. */
export type Prepared =
  | { kind: 'small-talk'; smallTalk: NonNullable<ReturnType<typeof detectSmallTalk>> }
  | { kind: 'declined'; declined: OutOfScope }
  | { kind: 'register'; answer: Answer }
  | { kind: 'search'; question: string; register?: Answer };

/**
 * Sorts a message: small talk, then questions to decline in their own way, then the sister-city
 * register; anything else is searched. Greetings, sign-offs, names, emails, phone numbers and links
 * are stripped first, so they neither count against the question nor reach a model.
 */
export function prepareQuestion(knowledge: Knowledge, text: string): Prepared {
  const small = detectSmallTalk(text);
  if (small) return { kind: 'small-talk', smallTalk: small };
  const question = stripGreeting(stripNoise(text));
  const declined = detectOutOfScope(question);
  if (declined) return { kind: 'declined', declined };
  const registered = fromRegister(knowledge, question);
  if (registered && !registered.onlyIfNoGuidance)
    return { kind: 'register', answer: registered.answer };
  return { kind: 'search', question, register: registered?.answer };
}

/** Optional helpers for a question the lexical ranking is unsure of; each may fail without harm. */
export interface AnswerAids {
  /** A dense ranking from an embeddings endpoint; undefined means "use the lexical ranking". */
  dense?: (question: string) => Promise<DenseHit[] | undefined>;
  /** Picks one of a closed list of entries, or none; a failure leaves the lexical decision. */
  pick?: (question: string, candidates: Entry[]) => Promise<string | null | undefined>;
}

/** Below this confidence a question is not worth asking the picker about: nothing came close. */
const PICK_FLOOR = 0.05;
/** Entries offered to the picker. */
const PICK_CANDIDATES = 5;

/**
 * Answers a question: small talk, then questions to decline in their own way, then the
 * sister-city register, then retrieval with the answerability model, else an honest refusal.
 */
export function answerText(
  knowledge: Knowledge,
  retriever: Retriever,
  text: string,
  today: string,
): Answer {
  const prepared = prepareQuestion(knowledge, text);
  if (prepared.kind !== 'search') return decided(knowledge, prepared);
  return fromRetrieval(knowledge, prepared, retriever.search(prepared.question), today);
}

/**
 * The same as `answerText`, with the optional aids: a dense ranking blended into the lexical one,
 * and, when the result is still unsure, a model's pick from the top entries. The answer shown is
 * always a curated entry; any aid that fails leaves the offline answer as it was.
 */
export async function answerQuestion(
  knowledge: Knowledge,
  retriever: Retriever,
  text: string,
  today: string,
  aids: AnswerAids = {},
): Promise<Answer> {
  const prepared = prepareQuestion(knowledge, text);
  if (prepared.kind !== 'search') return decided(knowledge, prepared);
  const dense = aids.dense ? await aids.dense(prepared.question).catch(() => undefined) : undefined;
  const r = retriever.search(prepared.question, dense);
  if (!r.answered && aids.pick && r.top && r.confidence >= PICK_FLOOR && !prepared.register) {
    const candidates = r.hits.slice(0, PICK_CANDIDATES).map((h) => h.entry);
    const id = await aids.pick(prepared.question, candidates).catch(() => undefined);
    const picked = id ? r.hits.find((h) => h.entry.id === id) : undefined;
    if (picked) {
      const rest = r.hits.filter((h) => h !== picked);
      return fromRetrieval(
        knowledge,
        prepared,
        { ...r, answered: true, top: picked, hits: [picked, ...rest] },
        today,
      );
    }
  }
  return fromRetrieval(knowledge, prepared, r, today);
}

/** The answer for a question settled before any search. */
function decided(knowledge: Knowledge, prepared: Exclude<Prepared, { kind: 'search' }>): Answer {
  if (prepared.kind === 'small-talk')
    return { reply: smallTalkReply(prepared.smallTalk), answered: false, ranked: [] };
  if (prepared.kind === 'declined')
    return {
      reply: outOfScopeReply(knowledge, prepared.declined),
      answered: false,
      declined: prepared.declined,
      ranked: [],
    };
  return prepared.answer;
}

/** The answer a retrieval supports: the top entry, the register, or an honest refusal. */
function fromRetrieval(
  knowledge: Knowledge,
  prepared: Extract<Prepared, { kind: 'search' }>,
  r: Retrieval,
  today: string,
): Answer {
  if (prepared.register && !r.answered) return prepared.register;
  const ranked = r.hits.map((h) => h.entry.id);
  if (r.answered && r.top) {
    return {
      reply: answerReply(r.top.entry, r.related, { score: r.top.score, today }),
      answered: true,
      top: r.top,
      ranked,
      retrieval: r,
    };
  }
  const weak = r.top && r.top.coverage >= SUGGEST_COVERAGE ? r.top : undefined;
  return {
    reply: noGuidanceReply(knowledge, weak),
    answered: false,
    top: r.top,
    ranked,
    retrieval: r,
  };
}
