import { foldText } from './normalise.js';

/**
 * Questions the bot must decline in a particular way, rather than search for. Each kind has
 * its own reply (see `outOfScopeReply`); plainly unrelated questions are left to the
 * confidence rule, which refuses them.
 */
export type OutOfScope =
  | 'person'
  | 'legal'
  | 'political'
  | 'emergency'
  | 'evasion'
  | 'personal-data';

const PEOPLE =
  '(mayor|councillor|councilor|deputy mayor|chief executive|ceo|manager|colleague|boss|security contact|staff member|he|she|they|him|her)';
const STATES =
  '(china|chinese|prc|russia|russian|iran|iranian|india|indian|us|usa|america|american|the us|united states|australia|japan|korea|north korea|taiwan|israel|pacific)';

/** Ordered: the first matching kind wins. Patterns run on folded text (lower case, no punctuation or macrons). */
/** "What is a proxy?" or "signs someone is an agent" ask for guidance, not a verdict on someone. */
const ASKS_FOR_GUIDANCE =
  /^(what (is|are) (a|an|the) |define |meaning of )|\b(signs?|warning|spot|recogni[sz]e|how (do|can|would|could) (i|we|you) (know|tell|spot)|tell if|report)\b/;

/** Ordered: the first matching kind wins. Patterns run on folded text (lower case, no punctuation or macrons). */
const RULES: [OutOfScope, RegExp, RegExp?][] = [
  [
    'emergency',
    /\b(has|have|had|got|just|was|were|is being|are being) (been )?(detained|arrested|kidnapped|abducted|injured|hurt|attacked|taken|seized|held)\b|\b(detained|arrested|kidnapped|abducted|missing|injured|hurt|attacked|hostage|in hospital)\b.*\b(now|right now|today|tonight|currently|at the moment|what do (we|i) do)\b|\b(fire|bomb|gunman|shooting|explosion|medical emergency)\b|\b(emergency|urgent help|help urgently|in danger)\b.*\b(now|right now|happening|abroad|overseas)\b/,
    /\bif\b/,
  ],
  [
    'person',
    new RegExp(
      `\\b(is|are|was|were)\\b.*\\b(a|an)\\b (foreign |chinese |russian |secret |state )?(agent|spy|informant|proxy|asset|plant|mole)\\b|\\b(is|are)\\b.*\\b(spies|agents|proxies|informants)\\b|\\b(working|work|acting|spying) (for|on behalf of) (the )?${STATES}\\b|\\b(check|vet|investigate|look into|profile|monitor|watch|keep tabs on|background check)\\b.*\\b(person|people|him|her|them|councillor|candidate|group|association|community|members?|diaspora|this guy|this man|this woman|new hire)\\b`,
    ),
    ASKS_FOR_GUIDANCE,
  ],
  [
    'legal',
    /\b(would|will|could|is|was) (it|this|that|they|he|she|we|i|our \w+|my \w+) (be )?(an offence|illegal|a crime|criminal|against the law|unlawful|breaking the law|break the law|in breach)\b|\b(can|could|would|will) (i|we|they|he|she|our \w+|the council) (be )?(prosecuted|charged|jailed|convicted|sued|fined|arrested)\b|\b(legal advice|legally liable|am i breaking the law|are we breaking the law|is it an offence (if|for|to))\b/,
  ],
  [
    'political',
    new RegExp(
      `\\b(should|must|ought) (nz|new zealand|we|the council|our council|councils|the government)\\b.*\\b(cut|end|cancel|drop|sever|break|ban|boycott)\\b|\\b(is|was) the (government|minister|council|pm|prime minister)\\b.*\\b(right|wrong|correct)\\b|\\b(what do you think|your (view|views|opinion|position)|do you (support|agree|like)|are you (for|against))\\b.*\\b(${STATES}|government|policy|law|bill|party|labour|national|greens|act party|election)\\b|\\bwho should (i|we) vote\\b`,
    ),
  ],
  [
    'evasion',
    /\b(hide|conceal|smuggle|sneak|wipe|encrypt)\b.*\b(from|past|through)\b.*\b(border|customs|inspections?|officials|authorities|police|search(es)?)\b|\b(get|getting|go|going) (round|around|past)\b.*\b(border|customs|inspections?|search(es)?|checks?|law|laws|rules)\b|\b(avoid|bypass|evade|dodge|beat|fool)\b.*\b(border|customs|inspections?|device search(es)?|search(es)?|checks?|law|laws|rules|surveillance)\b/,
  ],
  [
    'personal-data',
    new RegExp(
      `\\b(home|personal|private|residential|mobile|cell|cellphone|family)\\b.*\\b(address|number|phone|email|details|location)\\b|\\bwhere (does|do) (the |our |my )?(${PEOPLE}|[a-z]+) live\\b|\\b${PEOPLE}s? (home |personal |private )?(address|phone number|mobile|cell number|email|date of birth|passport)\\b|\\b(address|phone number|mobile number|email|passport number) (of|for) (the |our |my )?${PEOPLE}\\b`,
    ),
  ],
];

/** Recognises a question the bot must decline in its own way; undefined for anything else. */
export function detectOutOfScope(text: string): OutOfScope | undefined {
  const folded = foldText(text);
  for (const [kind, re, unless] of RULES) if (re.test(folded) && !unless?.test(folded)) return kind;
  return undefined;
}
