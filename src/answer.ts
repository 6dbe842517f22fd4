import type { Knowledge } from './knowledge/index.js';
import type { Reply } from './model.js';
import { answerReply, noGuidanceReply, smallTalkReply } from './replies.js';
import { detectSmallTalk, type Hit, type Retriever, stripGreeting } from './retrieval/index.js';

/** A suggestion below this coverage is too weak even to offer as "the closest guidance". */
const SUGGEST_COVERAGE = 0.3;

/** The outcome of answering one question. */
export interface Answer {
  reply: Reply;
  answered: boolean;
  /** The best entry, whether or not it was confident enough to answer. */
  top?: Hit;
}

/** Answers a question: small talk first, then retrieval with the confidence rule, else an honest refusal. */
export function answerText(
  knowledge: Knowledge,
  retriever: Retriever,
  text: string,
  today: string,
): Answer {
  const small = detectSmallTalk(text);
  if (small) return { reply: smallTalkReply(small), answered: false };
  const r = retriever.search(stripGreeting(text));
  if (r.answered && r.top) {
    return {
      reply: answerReply(r.top.entry, r.related, { score: r.top.score, today }),
      answered: true,
      top: r.top,
    };
  }
  const weak = r.top && r.top.coverage >= SUGGEST_COVERAGE ? r.top : undefined;
  return { reply: noGuidanceReply(knowledge, weak), answered: false, top: r.top };
}
