import { foldText } from './normalise.js';

/**
 * The kind of specific detail a question asks for (a penalty, an amount, a count, a length of
 * time, a date, how things stand now, facts about a place itself), and whether an entry's text
 * states one at all. A question that asks for a detail its top entry never gives ("what's the
 * maximum sentence in Australia?" against an entry on Australia's scheme with no penalty in it) is
 * often one the guidance does not answer, however well its words match: the answer-or-decline
 * model weighs that (`Features.detailMissing`).
 * Patterns run on folded text (lower case, no punctuation or macrons).
 */
const DETAILS: { asks: RegExp; states: RegExp; statesRaw?: RegExp }[] = [
  {
    // A penalty.
    asks: /\b(penalty|penalties|max(imum)? (sentence|penalty|term|fine)|(jail|prison) (term|time|sentence)|how long in (jail|prison)|fined|fines|(a|the) fine (for|of|if)|fine for)\b/,
    states: /\b(imprisonment|prison|jail|fined?|fines|penalt(y|ies) of|liable to)\b/,
  },
  {
    // An amount of money.
    asks: /\bhow much (does|did|do|will|would|is|was|are|were|has|have|had|money)\b|\bbudget (for|in) (next|this|last|the coming) (financial |fiscal )?year\b|\bwhat (does|did|do|will|would|has|have) [a-z ]{0,60}\bcost\b|\b(total|overall|full|final) cost\b|\bcost (ratepayers|the council|council)\b|\b(membership|annual|yearly) fees?\b|\b(annual|yearly) (spend|budget)\b|\b(dollar|dollars|nzd) (amount|figure|sum|value)\b|\b(annual|yearly) (amount|sum)\b|\bamount (of money|in dollars)\b/,
    states: /\b\d+ ?(dollars|nzd|million|thousand)\b/,
    // Folding drops "$", so amounts are also looked for in the text as written.
    statesRaw: /\$ ?\d/,
  },
  {
    // A count.
    asks: /\bhow many\b|\b(the )?number of\b/,
    states:
      /\b\d+\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?)\b/,
  },
  {
    // A length of time.
    asks: /\bhow long (does|do|did|will|would|until|before|is|are|to|till)\b|\bhow (soon|quickly|far (ahead|in advance))\b|\bturnaround\b/,
    states:
      /\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a few|several) ?(hours?|days?|weeks?|months?|years?)\b|\b(hours?|days?|weeks?|months?) (before|ahead|in advance|later|after|of)\b|\b(within|inside) (a|an|\d+)\b/,
  },
  {
    // A date.
    asks: /\bwhat (date|day|month|year)\b|\bdeadlines?\b|\bwhen (is|are|will|does|do) the next\b|\bwhen (is|does) (it|the [a-z]+) (on|due|held|close|open)\b/,
    states:
      /\b(19|20)\d\d\b|\b(january|february|march|april|may|june|july|august|september|october|november|december)\b/,
  },
  {
    // How things stand now, or what comes next: "has anyone been charged yet?", "when is the 2026
    // report coming out?", "what level is China on right now?", "is Dunedin planning to revive
    // its Portsmouth link?" (someone else's plans; "are we going to…" asks what to do). The
    // guidance is a reviewed snapshot with a date on it; no entry can say what has happened since.
    asks: /\b(has|have|is|are) (anyone|anybody|it|they|the [a-z]+|[a-z]+ s)\b.{0,60}\b(yet|so far|to date)\b|\b(coming out|will [a-z ]{0,40}come out)\b|\b(when|what date) (is|does|will)\b.{0,50}\b(come out|be (released|published|out))\b|\b(what|which|whats)\b.{0,60}\b(right now|at the moment)\b|\bhow many\b.{0,80}\bsince (19|20)\d\d\b|\b(is|are) (?!(we|i|you|that|it|this|there)\b)[a-z]+( [a-z]+)? (planning|going|intending) to\b|\b(has|have) (?!(we|i|you)\b)[a-z]+( [a-z]+)? decided (whether|if|to)\b|\bany plans? to\b|\bplanning for the\b|\bwhat (events )?(is|are) (being )?planned\b|\b(anything|something|events?|a delegation|trips?) (special )?planned\b|\bdoing (anything|something) (special )?for (the|its|their)\b/,
    states: /(?!)/,
  },
  {
    // Facts about a place itself ("Kunming's population", "Kumagaya's main industries"): the
    // register and the guidance are about councils' ties and security, not about the cities.
    asks: /\b(population|populations|how many (people|residents|inhabitants) (live|are there)|main industr(y|ies)|(biggest|main) employers?|gdp)\b/,
    states: /\b(population|residents|inhabitants|industr(y|ies)|employers?|gdp)\b/,
  },
];

/**
 * Which kinds of detail (by position in `DETAILS`) a text states. Remembered by text: the texts are
 * entries and register replies, a few hundred in all, and a council's record is long to fold and
 * test question after question. Past `STATED_LIMIT` texts the memory starts again. The result is
 * shared: callers must not change it.
 */
export function detailsStated(text: string): readonly boolean[] {
  let stated = statedMemo.get(text);
  if (!stated) {
    const folded = foldText(text);
    stated = DETAILS.map((d) => d.states.test(folded) || (d.statesRaw?.test(text) ?? false));
    if (statedMemo.size >= STATED_LIMIT) statedMemo.clear();
    statedMemo.set(text, stated);
  }
  return stated;
}

const STATED_LIMIT = 512;
const statedMemo = new Map<string, boolean[]>();

/**
 * 1 when the question asks for a kind of detail that `stated` (from `detailsStated` on the entry's
 * text) says the entry never gives; 0 when it asks for none, or the entry gives each it asks for.
 */
export function detailMissing(question: string, stated: readonly boolean[]): number {
  const folded = foldText(question);
  return DETAILS.some((d, i) => !stated[i] && d.asks.test(folded)) ? 1 : 0;
}
