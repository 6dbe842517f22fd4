import { findCouncils, findPartnerCities, type Knowledge } from './knowledge/index.js';
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
  detectOutOfScope,
  detectSmallTalk,
  type Hit,
  type OutOfScope,
  type Retrieval,
  type Retriever,
  stripGreeting,
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

/**
 * Answers a question: small talk, then questions to decline in their own way, then the
 * sister-city register, then retrieval with the confidence rule, else an honest refusal.
 */
export function answerText(
  knowledge: Knowledge,
  retriever: Retriever,
  text: string,
  today: string,
): Answer {
  const small = detectSmallTalk(text);
  if (small) return { reply: smallTalkReply(small), answered: false, ranked: [] };
  const question = stripGreeting(text);
  const declined = detectOutOfScope(question);
  if (declined)
    return { reply: outOfScopeReply(knowledge, declined), answered: false, declined, ranked: [] };
  const registered = fromRegister(knowledge, question);
  if (registered && !registered.onlyIfNoGuidance) return registered.answer;
  const r = retriever.search(question);
  if (registered && !r.answered) return registered.answer;
  if (r.answered && r.top) {
    return {
      reply: answerReply(r.top.entry, r.related, { score: r.top.score, today }),
      answered: true,
      top: r.top,
      ranked: r.hits.map((h) => h.entry.id),
      retrieval: r,
    };
  }
  const weak = r.top && r.top.coverage >= SUGGEST_COVERAGE ? r.top : undefined;
  return {
    reply: noGuidanceReply(knowledge, weak),
    answered: false,
    top: r.top,
    ranked: r.hits.map((h) => h.entry.id),
    retrieval: r,
  };
}
