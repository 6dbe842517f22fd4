import { createHash } from 'node:crypto';
import { cachedPacked, hashJson, isStringArray, type Packed } from '../disk-cache.js';
import { analyseAll } from './analysis-cache.js';
import { buildIndex, type PackedIndex } from './bm25.js';
import { ANALYSIS_VERSION, terms } from './normalise.js';

/**
 * The retriever's word-level data, built from the knowledge at start-up: the three BM25 indexes
 * (whole entries, single example questions, and curated questions the guidance does not answer), each term's document frequency, and the place
 * names that set a question's scene. Built once and kept on disk (`cachedPacked`), keyed by a hash
 * of every text it is built from and of the analysis code, so a start reads it back rather than
 * building it again, and changed guidance or analysis is never served stale data.
 */
export interface Lexicon {
  entries: PackedIndex;
  examples: PackedIndex;
  /** Curated questions the guidance does not answer, one document each. */
  uncovered: PackedIndex;
  /** How many entries each term occurs in. */
  docFreq: Map<string, number>;
  places: Set<string>;
}

/** What the lexicon is built from. */
export interface LexiconSource {
  /** Per entry: its id and its fields' texts, in the order the boosts give. */
  entries: { id: string; fields: string[] }[];
  boosts: readonly number[];
  /** Example questions: an id each, and the text. */
  examples: { id: string; text: string }[];
  /** Curated questions in the domain that the guidance does not answer. */
  uncovered: string[];
  /** Place names (the register's councils and cities); not counted when also a topic word. */
  placeNames: string[];
  /** Texts whose words are topics (entries' titles and keywords). */
  topicTexts: string[];
}

/** Raised when the layout below changes, so files of the old layout are never read. */
const FORMAT = 2;

export function buildLexicon(source: LexiconSource, cacheDirs: readonly string[]): Lexicon {
  const hash = createHash('sha256').update(`${FORMAT}\u0000${ANALYSIS_VERSION}\u0000`);
  // Hashed as lists of strings (the objects' ids and texts taken out), which `hashJson` hashes
  // as they are, rather than as objects, which it writes out as JSON first.
  const key = hashJson(hash, [
    source.entries.map((e) => e.id),
    source.entries.map((e) => e.fields),
    source.boosts.map(String),
    source.examples.map((x) => x.id),
    source.examples.map((x) => x.text),
    source.uncovered,
    source.placeNames,
    source.topicTexts,
  ])
    .digest('hex')
    .slice(0, 24);
  return cachedPacked(cacheDirs, `lexicon-${key}.bin`, {
    build: () => compute(source, cacheDirs),
    pack,
    unpack,
  });
}

function compute(source: LexiconSource, cacheDirs: readonly string[]): Lexicon {
  const width = source.boosts.length;
  // Every text is analysed once (or read from its own cache): the indexes and the document
  // frequencies share the terms.
  const analysed = analyseAll(
    [
      ...source.entries.flatMap((e) => e.fields),
      ...source.examples.map((x) => x.text),
      ...source.uncovered,
    ],
    cacheDirs,
  );
  const entryTerms = source.entries.map((_, i) => analysed.slice(i * width, (i + 1) * width));
  const exampleStart = source.entries.length * width;
  const exampleTerms = analysed.slice(exampleStart, exampleStart + source.examples.length);
  const uncoveredTerms = analysed.slice(exampleStart + source.examples.length);
  const docFreq = new Map<string, number>();
  for (const fields of entryTerms) {
    for (const t of new Set(fields.flat())) docFreq.set(t, (docFreq.get(t) ?? 0) + 1);
  }
  // A country that an entry is about (Canada, Australia) is a topic, not scenery.
  const topics = new Set(source.topicTexts.flatMap((t) => terms(t)));
  return {
    entries: buildIndex(
      source.entries.map((e, i) => ({ id: e.id, fields: entryTerms[i] ?? [] })),
      source.boosts,
    ),
    examples: buildIndex(
      source.examples.map((x, i) => ({ id: x.id, fields: [exampleTerms[i] ?? []] })),
      [1],
    ),
    uncovered: buildIndex(
      uncoveredTerms.map((t, i) => ({ id: String(i), fields: [t] })),
      [1],
    ),
    docFreq,
    places: new Set(source.placeNames.flatMap((n) => terms(n)).filter((t) => !topics.has(t))),
  };
}

interface Meta {
  entries: { ids: string[]; terms: string[] };
  examples: { ids: string[]; terms: string[] };
  uncovered: { ids: string[]; terms: string[] };
  docFreq: string[];
  places: string[];
}

function pack(l: Lexicon): Packed {
  const meta: Meta = {
    entries: { ids: l.entries.ids, terms: l.entries.terms },
    examples: { ids: l.examples.ids, terms: l.examples.terms },
    uncovered: { ids: l.uncovered.ids, terms: l.uncovered.terms },
    docFreq: [...l.docFreq.keys()],
    places: [...l.places],
  };
  return {
    meta,
    arrays: [
      l.entries.offsets,
      l.entries.docs,
      l.entries.scores,
      l.examples.offsets,
      l.examples.docs,
      l.examples.scores,
      l.uncovered.offsets,
      l.uncovered.docs,
      l.uncovered.scores,
      Uint32Array.from(l.docFreq.values()),
    ],
  };
}

/** The lexicon in a packed value, or undefined when its shape is not a whole lexicon's. */
function unpack(p: Packed): Lexicon | undefined {
  const m = p.meta as Partial<Meta> | null;
  const [eo, ed, es, xo, xd, xs, uo, ud, us, df] = p.arrays;
  if (
    !m ||
    !isStringArray(m.entries?.ids) ||
    !isStringArray(m.entries?.terms) ||
    !isStringArray(m.examples?.ids) ||
    !isStringArray(m.examples?.terms) ||
    !isStringArray(m.uncovered?.ids) ||
    !isStringArray(m.uncovered?.terms) ||
    !isStringArray(m.docFreq) ||
    !isStringArray(m.places) ||
    p.arrays.length !== 10
  )
    return undefined;
  const index = (
    meta: { ids: string[]; terms: string[] },
    offsets: unknown,
    docs: unknown,
    scores: unknown,
  ): PackedIndex | undefined => {
    if (
      !(offsets instanceof Uint32Array) ||
      !(docs instanceof Uint32Array) ||
      !(scores instanceof Float64Array) ||
      offsets.length !== meta.terms.length + 1 ||
      docs.length !== scores.length ||
      offsets[offsets.length - 1] !== docs.length ||
      docs.some((d) => d >= meta.ids.length)
    )
      return undefined;
    for (let t = 0; t < meta.terms.length; t++)
      if ((offsets[t] as number) > (offsets[t + 1] as number)) return undefined;
    return { ids: meta.ids, terms: meta.terms, offsets, docs, scores };
  };
  const entries = index(m.entries as Meta['entries'], eo, ed, es);
  const examples = index(m.examples as Meta['examples'], xo, xd, xs);
  const uncovered = index(m.uncovered as Meta['uncovered'], uo, ud, us);
  if (
    !entries ||
    !examples ||
    !uncovered ||
    !(df instanceof Uint32Array) ||
    df.length !== m.docFreq.length
  )
    return undefined;
  return {
    entries,
    examples,
    uncovered,
    docFreq: new Map(m.docFreq.map((t, i) => [t, df[i] as number])),
    places: new Set(m.places),
  };
}
