import { foldText } from '../retrieval/normalise.js';
import type { Knowledge } from './load.js';
import type { NzCouncil } from './nz-councils.js';
import {
  placeSlug,
  type Register,
  type RegisterCouncil,
  type Relationship,
  registerId,
} from './register.js';

interface Named<T> {
  names: string[];
  value: T;
}

/** Names folded once, longest first, each with the candidates it names. */
interface Matcher<T> {
  /** Folded names by their first word, each list longest first. */
  byFirstWord: Map<string, string[]>;
  byName: Map<string, T[]>;
}

function matcher<T>(candidates: Named<T>[]): Matcher<T> {
  const byName = new Map<string, T[]>();
  for (const c of candidates) {
    for (const name of c.names) {
      const n = foldText(name);
      if (n) byName.set(n, [...(byName.get(n) ?? []), c.value]);
    }
  }
  const byFirstWord = new Map<string, string[]>();
  for (const name of [...byName.keys()].sort((a, b) => b.length - a.length)) {
    const first = name.split(' ')[0] ?? '';
    byFirstWord.set(first, [...(byFirstWord.get(first) ?? []), name]);
  }
  return { byFirstWord, byName };
}

/**
 * The names that may occur in folded text: those whose first word is one of its words (or, for
 * a one-word possessive such as "hamiltons", one of its words less a final "s"), longest first.
 * Looking up the question's few words is much cheaper than searching it for every name.
 */
function namesIn(folded: string, byFirstWord: Map<string, string[]>): string[] {
  const names = new Set<string>();
  for (const word of folded.split(' ')) {
    for (const w of word.endsWith('s') ? [word, word.slice(0, -1)] : [word])
      for (const name of byFirstWord.get(w) ?? []) names.add(name);
  }
  return [...names].sort((a, b) => b.length - a.length);
}

/** Matchers are built once per register (or knowledge) and reused for every question. */
const cache = new WeakMap<object, Map<string, Matcher<unknown>>>();
function cached<T>(owner: object, kind: string, build: () => Named<T>[]): Matcher<T> {
  let byKind = cache.get(owner);
  if (!byKind) {
    byKind = new Map();
    cache.set(owner, byKind);
  }
  let m = byKind.get(kind) as Matcher<T> | undefined;
  if (!m) {
    m = matcher(build());
    byKind.set(kind, m as Matcher<unknown>);
  }
  return m;
}

/**
 * The candidates a text names, in the order the text names them. Longer names are matched
 * first and then blanked out, so "Upper Hutt" does not also name "Hutt" and "Central Otago"
 * does not also name "Otago". Macrons and case are folded; with `possessive`, "taurangas"
 * (a possessive without its apostrophe) names Tauranga too.
 */
function matchNames<T>(
  text: string,
  { byFirstWord, byName }: Matcher<T>,
  possessive: boolean,
): T[] {
  let folded = ` ${foldText(text)} `;
  const found: { value: T; at: number }[] = [];
  for (const name of namesIn(folded, byFirstWord)) {
    if (!folded.includes(name)) continue;
    for (const form of possessive ? [` ${name} `, ` ${name}s `] : [` ${name} `]) {
      let at = folded.indexOf(form);
      while (at >= 0) {
        // "trans-Tasman", "across the Tasman" and "the Tasman Sea" are about the sea (and
        // Australia), not the Tasman District.
        const region = aRegion(folded, at, form);
        if (
          region ||
          (!(name === 'tasman' && theSea(folded, at, form.length)) &&
            !aPerson(folded, at) &&
            !someCouncilThere(folded, at, form.length))
        ) {
          // A region the question is about the councils in is no one council, nor is any
          // council whose name it holds ("the Wellington region" is not Wellington City).
          if (!region)
            for (const value of byName.get(name) ?? [])
              if (!found.some((f) => f.value === value)) found.push({ value, at });
          folded = `${folded.slice(0, at + 1)}${' '.repeat(form.length - 2)}${folded.slice(at + form.length - 1)}`;
        }
        at = folded.indexOf(form, at + 1);
      }
    }
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.value);
}

/**
 * True when "tasman" at `at` (a match `length` long, spaces included) is the sea, not the district:
 * "trans-Tasman", "across the Tasman", "our side of the Tasman", "the Tasman Sea".
 */
function theSea(folded: string, at: number, length: number): boolean {
  return (
    / (trans|(across|over|cross|crossing|(the other|our|this|their|that|either|each|both|other) sides? of) the) $/.test(
      folded.slice(Math.max(0, at - 30), at + 1),
    ) || /^ sea\b/.test(folded.slice(at + length - 1, at + length + 5))
  );
}

/**
 * True when the name at `at` (the match `form`, spaces included) is a region named as where
 * councils are: "which councils in the Wellington region…", "across the Waikato region".
 */
function aRegion(folded: string, at: number, form: string): boolean {
  return (
    / (in|across|around|throughout|within) the $/.test(
      folded.slice(Math.max(0, at - 12), at + 1),
    ) &&
    (/ region $/.test(form) ||
      /^ region\b/.test(folded.slice(at + form.length - 1, at + form.length + 8)))
  );
}

/**
 * True when the name at `at` (a match `length` long, spaces included) is a region some council is
 * in: "was there a Northland council that…", "any Waikato council which…".
 */
function someCouncilThere(folded: string, at: number, length: number): boolean {
  return (
    / (a|an|any|some|one) $/.test(folded.slice(Math.max(0, at - 5), at + 1)) &&
    /^ councils? (that|which|who|where|whose)\b/.test(
      folded.slice(at + length - 1, at + length + 20),
    )
  );
}

/**
 * True when the name at `at` follows a title: "Mayor Hamilton", "Cr Nelson", or a short title and
 * a given name, "Cr Bruce Hamilton", "Dr Jo Napier", are people. A word between "mayor" or
 * "councillor" and the name is not a given name ("the mayor visited Nelson's sister city"), and
 * "the mayor of Nelson" and "the Hamilton mayor" name the council.
 */
function aPerson(folded: string, at: number): boolean {
  return / ((cr|mr|mrs|ms|miss|dr|prof|sir|dame)( (?!(of|for|in|from|at|the|and|to|with|on|our|their|its)\b)[a-z]+)?|councillor|mayor|professor) $/.test(
    folded.slice(Math.max(0, at - 40), at + 1),
  );
}

const councilNames = (c: { place: string; aliases: string[] }) => [c.place, ...c.aliases];

type Place = { listed: RegisterCouncil } | { unlisted: NzCouncil };

/** Finds the register councils a question names, by place or alias (macrons and case folded). */
export function findCouncils(register: Register | undefined, text: string): RegisterCouncil[] {
  if (!register) return [];
  return matchNames(
    text,
    cached(register, 'councils', () =>
      register.councils.map((c) => ({ names: councilNames(c), value: c })),
    ),
    true,
  );
}

/**
 * Finds the NZ councils a question names: those in the register (`listed`), and those the
 * register has no entry for (`unlisted`, from `nz-councils.yaml`). Both are matched together,
 * so a longer unlisted name ("Greater Wellington") is not read as a listed one ("Wellington").
 */
export function findPlaces(
  knowledge: Pick<Knowledge, 'register' | 'nzCouncils'>,
  text: string,
): { listed: RegisterCouncil[]; unlisted: NzCouncil[] } {
  const build = (): Named<Place>[] => {
    const listed = knowledge.register?.councils ?? [];
    const listedNames = new Set(listed.map((c) => c.council));
    const unlisted = (knowledge.nzCouncils?.councils ?? []).filter((n) => !listedNames.has(n.name));
    return [
      ...listed.map((c) => ({ names: councilNames(c), value: { listed: c } })),
      ...unlisted.map((n) => ({ names: councilNames(n), value: { unlisted: n } })),
    ];
  };
  const found = matchNames(text, cached(knowledge, 'places', build), true);
  return {
    listed: found.flatMap((f) => ('listed' in f ? [f.listed] : [])),
    unlisted: found.flatMap((f) => ('unlisted' in f ? [f.unlisted] : [])),
  };
}

/**
 * Finds register relationships whose foreign city the question names. A namesake
 * (Christchurch in Dorset, Marlborough in England) is not matched: its name is the NZ place.
 */
export function findPartnerCities(
  register: Register | undefined,
  text: string,
): { council: RegisterCouncil; rel: Relationship }[] {
  if (!register) return [];
  return matchNames(
    text,
    cached(register, 'partners', () => {
      const nzPlaces = new Set(register.councils.flatMap(councilNames).map(foldText));
      return register.councils.flatMap((council) =>
        council.relationships.map((rel) => ({
          names: [rel.city, ...rel.aliases].filter((n) => !nzPlaces.has(foldText(n))),
          value: { council, rel },
        })),
      );
    }),
    false,
  );
}

/** The id of the reply naming the councils the register holds. */
export const REGISTER_COUNCILS_ID = 'register:councils';

/** The id of the reply for a council the register has no entry for, e.g. `register:not-listed:kaikoura`. */
export function notListedId(council: Pick<NzCouncil, 'place'>): string {
  return `register:not-listed:${placeSlug(council.place)}`;
}

/**
 * Every id an answer can carry: guidance entries, register councils, the list of them
 * (`register:councils`) and councils it lacks.
 */
export function answerIds(knowledge: Knowledge): Set<string> {
  const listed = knowledge.register?.councils ?? [];
  const listedNames = new Set(listed.map((c) => c.council));
  return new Set([
    ...knowledge.byId.keys(),
    ...(knowledge.register ? [REGISTER_COUNCILS_ID] : []),
    ...listed.map(registerId),
    ...(knowledge.nzCouncils?.councils ?? [])
      .filter((n) => !listedNames.has(n.name))
      .map(notListedId),
  ]);
}

/**
 * The region a question asks about the councils of, as its regional council, and the type of
 * council when it names one ("Canterbury district councils"): "which councils in
 * the Canterbury region have sister cities in Japan?", "any Canterbury councils with Chinese
 * sister cities?", "sister cities in the Waikato region?", "does the Wellington region have
 * sister cities?". A region named some other way ("I'm at a council in the Wellington region;
 * what does the SIS say about sister cities?") is not, nor is the regional council by its name
 * ("does Environment Canterbury have sister cities?").
 */
export function askedRegion(
  nz: Pick<Knowledge, 'nzCouncils'>['nzCouncils'],
  text: string,
): { regional: NzCouncil; type?: 'city' | 'district' } | undefined {
  if (!nz) return undefined;
  const folded = foldText(text);
  // Most questions name no tie at all: nothing to match.
  if (!TIE_PHRASE.test(folded)) return undefined;
  const found = regionPatterns(nz).find(({ pattern }) => pattern.test(folded));
  if (!found) return undefined;
  return {
    regional: found.regional,
    type: KIND.exec(folded)?.[1] as 'city' | 'district' | undefined,
  };
}

const regionPatternCache = new WeakMap<object, { regional: NzCouncil; pattern: RegExp }[]>();

/** One pattern for each regional council, built once per list of councils. */
function regionPatterns(nz: NonNullable<Knowledge['nzCouncils']>) {
  let patterns = regionPatternCache.get(nz);
  if (!patterns) {
    const tie = TIE_PHRASE.source;
    patterns = nz.councils
      .filter((c) => c.type === 'regional')
      .map((regional) => {
        const forms = councilNames(regional).map((name) => {
          const n = literal(foldText(name));
          // "Wellington region" is itself a name; the others take "region" after them.
          return / region$/.test(foldText(name))
            ? { region: n, withRegion: n }
            : { region: `${n}( region)?`, withRegion: `${n} region` };
        });
        const region = forms.map((f) => f.region).join('|');
        const withRegion = forms.map((f) => f.withRegion).join('|');
        const alternatives = [
          // "which councils in the Canterbury region have…", "any councils across Otago with…"
          `\\bcouncils (in|across|around|throughout|within|from|of) (the )?(${region})\\b.{0,40}\\b(have|has|had|with|got|twinned|linked|paired)\\b`,
          // "any Canterbury councils with…", "Waikato district councils that have…"
          `\\b(${region}) (district |city |local |territorial )?councils\\b.{0,40}\\b(have|has|had|with|got|twinned|linked|paired)\\b`,
          // "sister cities in the Waikato region", "ties for the Wellington region"
          `\\b${tie} (in|for|of|across|around|within|throughout) (the )?(${withRegion})\\b`,
          // "does the Wellington region have sister cities?", "the Otago region's sister cities"
          `\\b(does|do|has|have) (the )?(${withRegion}) (have|got|had)\\b.{0,30}\\b${tie}`,
          `\\b(${withRegion})s ${tie}`,
        ];
        return { regional, pattern: new RegExp(alternatives.join('|')) };
      });
    regionPatternCache.set(nz, patterns);
  }
  return patterns;
}

/** "Which Canterbury district councils…": only the district (or city) councils there. */
const KIND = /\b(district|city) councils\b/;

/** Words for a council's overseas ties, as a question about a region's councils uses them. */
const TIE_PHRASE =
  /((sister|twin|partner|friendship|friendly) (cit(y|ies)|towns?|relationships?|links?|ties)|sistercit(y|ies)|overseas (ties|links|relationships)|international (ties|links|relationships))/;
/** Text to match literally inside a regular expression. */
export const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
