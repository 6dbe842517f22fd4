import { foldText } from './normalise.js';

/**
 * Countries whose laws or government a question may ask about, each with the words that name it.
 * China is left out on purpose: it is the setting of most questions ("a Chinese delegation"),
 * rarely the country whose rules are asked about. Patterns run on folded text (lower case, no
 * punctuation or macrons), so "Australia's" reads as "australias": each name may end in "s".
 */
const COUNTRIES: [string, RegExp][] = [
  [
    'australia',
    /\b(australia|australian|aussie|canberra|dfat|nsw|new south wales|victoria|victorian|queensland)s?\b/,
  ],
  ['canada', /\b(canada|canadian|csis|ottawa|c ?70)s?\b/],
  [
    'uk',
    /\b(uk|britain|british|england|english council|scotland|scottish|wales|welsh|mi5|npsa|westminster|united kingdom)s?\b/,
  ],
  ['us', /\b(the us|usa|united states|america|american|fbi|state department)s?\b/],
  ['japan', /\b(japan|japanese|tokyo)s?\b/],
  ['germany', /\b(germany|german|berlin)s?\b/],
  ['singapore', /\b(singapore|singaporean)s?\b/],
  ['france', /\b(france|french)s?\b/],
  ['korea', /\b(korea|korean|seoul)s?\b/],
  ['india', /\b(india|indian)s?\b/],
  ['taiwan', /\b(taiwan|taiwanese)s?\b/],
  ['ireland', /\b(ireland|irish)s?\b/],
  ['europe', /\b(eu|european union|europe|european)s?\b/],
  ['russia', /\b(russia|russian|moscow|kremlin)s?\b/],
  ['north korea', /\b(north korea|north korean|dprk|pyongyang)s?\b/],
  ['iran', /\b(iran|iranian|tehran)s?\b/],
];

/** The countries a text names. */
export function countriesNamed(text: string): Set<string> {
  const folded = foldText(text);
  return new Set(COUNTRIES.filter(([, re]) => re.test(folded)).map(([name]) => name));
}

/** What an entry says about countries: those its title is about, and those it names anywhere. */
export interface EntryCountries {
  title: Set<string>;
  text: Set<string>;
}

/** Works out an entry's countries from its title and answer. */
export function entryCountries(title: string, answer: string): EntryCountries {
  return { title: countriesNamed(title), text: countriesNamed(`${title}\n${answer}`) };
}

/**
 * 1 when the top entry is about another country's rules (its title names one: "Australia's
 * Foreign Arrangements Scheme") and the question names a country the entry never mentions ("does
 * Japan make its cities notify Tokyo, like Australia does?"): the guidance says nothing about that
 * country, however well the rest of the question matches. 0 otherwise, including for entries that
 * are not about a particular country (a Japan trip still gets the advice on phones).
 */
export function countryMissing(question: string, entry: EntryCountries): number {
  return entry.title.size === 0 ? 0 : namesAnother(question, entry);
}

/** 1 when the question names a country the entry never mentions, else 0. */
function namesAnother(question: string, entry: EntryCountries): number {
  for (const name of countriesNamed(question)) if (!entry.text.has(name)) return 1;
  return 0;
}

/** "What did the report say about Russia?", "anything on North Korea in it?": the country asked about. */
const SAYS_ABOUT =
  /\b(say|says|said|mention|mentions|mentioned|cover|covers|covered|name|names|named)\b.{0,30}\b(about|on|regarding)\b|\b(anything|much|something) (about|on|regarding)\b/;

/**
 * 1 when the question asks what the guidance says about a country ("does the 2025 report say
 * anything about North Korea?") and the entry never names it: whatever else matches, the entry
 * has nothing on that country. 0 otherwise.
 */
export function saysAboutMissing(question: string, entry: EntryCountries): number {
  return SAYS_ABOUT.test(foldText(question)) ? namesAnother(question, entry) : 0;
}
