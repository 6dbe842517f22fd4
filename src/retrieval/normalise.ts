/**
 * Text normalisation shared by indexing and querying: case, punctuation, macrons,
 * light stemming, stop words and the domain's synonyms.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A fingerprint of this file's code: caches of analysed text (index terms, the classifier's
 * weights) include it in their keys, so a change to the stemming or the synonyms never meets
 * terms analysed the old way. A file that cannot be read gives a fingerprint no cache has.
 */
export const ANALYSIS_VERSION = ((): string => {
  try {
    return createHash('sha256')
      .update(readFileSync(fileURLToPath(import.meta.url)))
      .digest('hex')
      .slice(0, 16);
  } catch {
    return randomUUID();
  }
})();

/** A text's concept groups, as `analyse` gives them: shared between callers, so never changed. */
export type Groups = readonly (readonly string[])[];

/**
 * The last few texts folded or analysed, with their results. One question is folded by the small
 * talk, scope, detail and remit checks and analysed by the ranking and the classifier in turn;
 * each does it once. The results are shared: callers must not change them.
 */
class Recent<T> {
  private readonly keys: string[] = [];
  private readonly values: T[] = [];
  private next = 0;
  constructor(private readonly size: number) {}
  get(key: string, make: (key: string) => T): T {
    const at = this.keys.indexOf(key);
    if (at >= 0) return this.values[at] as T;
    const value = make(key);
    this.keys[this.next] = key;
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.size;
    return value;
  }
}
const folded = new Recent<string>(4);
const analysed = new Recent<Groups>(4);

/** Lower-cases, strips diacritics (macrons included) and turns punctuation into spaces. */
export function foldText(text: string): string {
  return folded.get(text, fold);
}

/**
 * Words whose "'s" is "is" or "has" ("what's", "it's"): they keep it, folded to "whats", which the
 * declining rules and the stop words expect.
 */
const KEEPS_S = new Set([
  'what',
  'that',
  'it',
  'let',
  'there',
  'here',
  'he',
  'she',
  'who',
  'where',
  'how',
  'when',
  'why',
]);

function fold(text: string): string {
  // Text in plain ASCII has no accents to strip, and text with no apostrophe no possessive: most
  // questions skip both.
  let s = ASCII.test(text)
    ? text.toLowerCase()
    : text
        .normalize('NFD')
        .replace(/\p{M}+/gu, '')
        .toLowerCase();
  if (APOSTROPHE.test(s))
    s = s
      // A possessive says whose, not what: "the SIS's report" is about the SIS ("siss" would be a
      // word nobody else uses), and "someone's" is someone.
      .replace(/([\p{L}\p{N}]+)[’‘']s(?![\p{L}\p{N}])/gu, (_, w: string) =>
        KEEPS_S.has(w) ? `${w}s` : w,
      )
      .replace(/[’‘']/g, '');
  return s.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** Printable ASCII and white space: no accents to strip (other text takes the longer way). */
const ASCII = /^[\t\n\r -~]*$/;
const APOSTROPHE = /[’‘']/;

/**
 * Multi-word phrases rewritten to one canonical token before splitting, so
 * "twin town" and "sister city" meet, and "Ministry of Foreign Affairs" matches "MFAT".
 * Order matters: longer phrases first.
 */
const PHRASES: [RegExp, string][] = [
  [/\bministry of foreign affairs( and trade)?\b/g, 'mfat'],
  [/\bfi\b/g, 'foreign interference'],
  [/\b(turn|turns|turning|turned) (it |them |that |this )?down\b|\bsay no\b/g, 'decline'],
  [/\bforeign affairs\b/g, 'mfat'],
  [/\bnew zealand security intelligence service\b/g, 'nzsis'],
  [/\bsecurity intelligence service\b/g, 'nzsis'],
  [/\bspy agency\b|\bintelligence service\b/g, 'nzsis'],
  [/\bprotective security requirements\b/g, 'psr'],
  [
    /\bsister (city|cities|citys|citie|cites|citeis|citties|cties|ctiy|cty|town|towns)\b|\btwin (town|towns|city|cities)\b|\btwinning\b/g,
    'sistercity',
  ],
  [/\bsafe travel\b/g, 'safetravel'],
  [/\bsmart traveller\b/g, 'smartraveller'],
  [/\bmemorandum of understanding\b|\bmemoranda of understanding\b/g, 'mou'],
  [/\bpecuniary interests?\b/g, 'pecuniary'],
  [/\blocal government official information( and meetings)?( act)?\b/g, 'lgoima'],
  [/\bofficial information\b/g, 'lgoima'],
  [/\bforeign arrangements?( scheme)?\b/g, 'foreignarrangements'],
  [/\bthreat (report|assessment|environment)s?\b/g, 'threatreport'],
  [/\bwi fi\b/g, 'wifi'],
  [/\bdo not travel\b/g, 'donottravel'],
  [/\bnon essential travel\b/g, 'nonessential'],
  [/\bhoney ?traps?\b/g, 'honeytrap'],
  [/\bstate owned enterprises?\b/g, 'soe'],
  [/\bcharging (cable|cables|station|stations)\b/g, 'charger'],
  [/\bpublic contribution form\b/g, 'reportform'],
  [/\b(phone|telephone|contact) numbers?\b/g, 'freephone'],
  [/\b(keeps?|kept|keep on) (asking|questioning|probing|pushing)\b/g, 'elicitation'],
];

/** Single words mapped to the canonical word they share with others. */
const WORDS: Record<string, string> = {
  // Common misspellings that fuzzy matching alone would miss (a swapped pair is two edits).
  aussie: 'australia',
  aussies: 'australia',
  australian: 'australia',
  foriegn: 'foreign',
  forein: 'foreign',
  foregin: 'foreign',
  interferance: 'interference',
  councilor: 'councillor',
  twin: 'sistercity',
  twinned: 'sistercity',
  type: 'form',
  types: 'form',
  kind: 'form',
  kinds: 'form',
  forms: 'form',
  sis: 'nzsis',
  spy: 'espionage',
  spies: 'espionage',
  spying: 'espionage',
  present: 'gift',
  presents: 'gift',
  koha: 'gift',
  gifts: 'gift',
  gifted: 'gift',
  laptop: 'device',
  laptops: 'device',
  phone: 'device',
  phones: 'device',
  mobile: 'device',
  cellphone: 'device',
  tablet: 'device',
  ipad: 'device',
  devices: 'device',
  computer: 'device',
  trip: 'travel',
  trips: 'travel',
  travelling: 'travel',
  traveling: 'travel',
  travelled: 'travel',
  overseas: 'travel',
  abroad: 'travel',
  visit: 'travel',
  councillors: 'councillor',
  mayor: 'councillor',
  mp: 'councillor',
  politician: 'councillor',
  politicians: 'councillor',
  delegations: 'delegation',
  delegates: 'delegation',
  visitors: 'delegation',
  reporting: 'report',
  reported: 'report',
  dinner: 'hospitality',
  dinners: 'hospitality',
  meal: 'hospitality',
  hotel: 'hospitality',
  sponsored: 'hosted',
  sponsor: 'hosted',
  paid: 'hosted',
  pays: 'hosted',
  funded: 'hosted',
  agreement: 'mou',
  agreements: 'mou',
  mous: 'mou',
  contract: 'mou',
  briefing: 'brief',
  briefed: 'brief',
  debrief: 'brief',
  debriefing: 'brief',
  usb: 'charger',
  chargers: 'charger',
  wireless: 'wifi',
  hotspot: 'wifi',
  law: 'legislation',
  act: 'legislation',
  crime: 'legislation',
  offence: 'legislation',
  offences: 'legislation',
  illegal: 'legislation',
  interfering: 'interference',
  interfere: 'interference',
  approached: 'approach',
  approaches: 'approach',
  ports: 'port',
  harbour: 'port',
  targeted: 'target',
  targets: 'target',
  targeting: 'target',
  elicit: 'elicitation',
  eliciting: 'elicitation',
  cultivate: 'cultivation',
  cultivating: 'cultivation',
  declare: 'declaration',
  declaring: 'declaration',
  declarations: 'declaration',
  declared: 'declaration',
  register: 'registration',
  registering: 'registration',
  registered: 'registration',
};

/** Words too common to carry meaning in a question about this domain. */
export const STOP_WORDS = new Set(
  `a about above again all also am an and any are as at be been being below between both but by can
can't could did do does doing done don't down during each either else etc even ever every few for from further get gets
getting give given go going got had has have having he her here hers him his how i if in into is it its it's just
know let like may me might more most much must my need needs no nor not now of off on once one only or other our ours
out over own please same say says she should so some such tell than that the their theirs them then there these they
this those through to too under until up upon us very was we were what whats when where whether which while who whom
whose why will with would you your yours really actually thing things stuff okay ok im ive id well
count counts mean means meaning exactly explain define happen happens different difference differ someone somebody anyone
anyway anyhow basically heaps lot lots bit quick quickly sort sorts pretty gonna wanna got get go
went want wants wanted told said says think thinking thought put make made seem seems sure
monday tuesday wednesday thursday friday saturday sunday january february march april june july august
september october november december week weeks month months day days night tonight tomorrow yesterday
next last soon ago time\nanybody require requires required ok`.split(/\s+/),
);

/** Light stemming: folds common plural and verb endings so "visits" meets "visit". */
export function stem(word: string): string {
  if (word.length <= 4 || /\d/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 5) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is'))
    return word.slice(0, -1);
  return word;
}

/**
 * Maps one folded word to its terms: the stemmed word itself and, where it has one, the
 * canonical synonym ("laptops" gives laptop and device). Empty for a stop word.
 */
export function wordTerms(word: string): string[] {
  if (STOP_WORDS.has(word)) return [];
  const stemmed = stem(word);
  const canonical = WORDS[word] ?? WORDS[stemmed];
  const out = canonical && canonical !== stemmed ? [stemmed, canonical] : [stemmed];
  return out.filter((t) => t.length > 1);
}

/**
 * Analyses text into concept groups: one group per meaningful word, holding the word and
 * its canonical synonym. Phrases ("twin town", "Ministry of Foreign Affairs") become one
 * canonical term first. Indexing uses every term; the confidence rule counts groups.
 */
export function analyse(text: string): Groups {
  return analysed.get(text, analyseText);
}

function analyseText(text: string): string[][] {
  let folded = foldText(text);
  for (const [re, token] of PHRASES) folded = folded.replace(re, ` ${token} `);
  const groups: string[][] = [];
  for (const word of folded.split(/\s+/)) {
    if (!word) continue;
    const group = wordTerms(word);
    if (group.length) groups.push(group);
  }
  return groups;
}

/** Turns text into index terms: folded, phrase-merged, stop-worded, stemmed, synonyms added. */
export function terms(text: string): string[] {
  return analyse(text).flat();
}
