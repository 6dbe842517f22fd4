import { foldText } from './normalise.js';

/** Kinds of small talk the bot answers without searching. */
export type SmallTalk = 'greeting' | 'thanks' | 'help' | 'goodbye';

const PATTERNS: [SmallTalk, RegExp][] = [
  [
    'help',
    /^(help|help me|menu|commands|what can you do|what do you do|who are you|what are you|how do i use (this|you)|\?+)$/,
  ],
  [
    'greeting',
    /^((hi|hello|hey|hiya|gday|good (morning|afternoon|evening)|kia ora|morena|tena koe|tena koutou|talofa|malo e lelei|ni hao)( (there|team|bot|koutou|katoa))?)$/,
  ],
  [
    'thanks',
    /^((thanks|thank you|thankyou|ta|cheers|ka pai|nga mihi|many thanks|thanks heaps|thanks so much|kia ora rawa atu)( (heaps|again|a lot|mate|bot))?)$/,
  ],
  ['goodbye', /^(bye|goodbye|see you|ka kite|ka kite ano|hei konei ra|haere ra)$/],
];

const LEADING_GREETING = /^(hi|hello|hey|kia ora|morena|tena koe|gday)\s+/;

/** Recognises a message that is only small talk. Greetings in te reo Māori count, macrons or not. */
export function detectSmallTalk(text: string): SmallTalk | undefined {
  const folded = foldText(text);
  if (folded.length > 40) return undefined;
  for (const [kind, re] of PATTERNS) if (re.test(folded)) return kind;
  return undefined;
}

/** Drops a leading greeting ("kia ora, what is...") so the question itself is searched. */
export function stripGreeting(text: string): string {
  const folded = foldText(text);
  const m = LEADING_GREETING.exec(folded);
  if (!m) return text;
  // Remove the same number of leading words from the original text.
  const words = m[0].trim().split(/\s+/).length;
  return text
    .trim()
    .split(/\s+/)
    .slice(words)
    .join(' ')
    .replace(/^[,.!:;\s]+/, '');
}
