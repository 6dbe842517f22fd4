import { cachedPacked, type Packed } from '../disk-cache.js';
import type { Knowledge } from '../knowledge/index.js';
import { labelledDigest } from './examples-digest.js';
import { hashes, sortedKeys } from './feature-table.js';
import { DECLINE_KINDS, type OutOfScope } from './scope.js';

/**
 * Case, accents, punctuation and spacing folded: the same question typed the same way. Nothing
 * else is folded (no spelling, stemming or synonyms), so "78AAA penalty?" matches "78aaa penalty"
 * and "what's the 78AAA penalty" does not.
 */
export function typedAlike(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** How a curated decline is declined: its kind's own reply, or a plain refusal. */
export type DeclinedAs = OutOfScope | 'unrelated';

/** Bumped when the stored layout or the folding changes. */
const FORMAT = 1;

/** Rows sorted by (keyA, keyB), each row a folded text's two hashes and what it points to. */
interface Rows {
  keyA: Uint32Array;
  keyB: Uint32Array;
  /** An entry's place in `labels` (examples), or a kind's place in `labels` (declines). */
  value: Uint16Array;
  labels: string[];
}

interface Table {
  examples: Rows;
  declines: Rows;
}

function rows(pairs: [string, string][]): Rows {
  const labels = [...new Set(pairs.map(([, label]) => label))];
  const place = new Map(labels.map((l, i) => [l, i]));
  const seen = new Set<string>();
  const out: [number, number, number][] = [];
  for (const [text, label] of pairs) {
    const key = typedAlike(text);
    if (!key || seen.has(`${key}\t${label}`)) continue;
    seen.add(`${key}\t${label}`);
    out.push([...hashes(key), place.get(label) as number]);
  }
  out.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
  return {
    keyA: Uint32Array.from(out, (r) => r[0]),
    keyB: Uint32Array.from(out, (r) => r[1]),
    value: Uint16Array.from(out, (r) => r[2]),
    labels,
  };
}

/** The values of every row whose key is (a, b), in order. */
function lookup(t: Rows, a: number, b: number): number[] {
  let lo = 0;
  let hi = t.keyA.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const ka = t.keyA[mid] as number;
    if (ka < a || (ka === a && (t.keyB[mid] as number) < b)) lo = mid + 1;
    else hi = mid;
  }
  const found: number[] = [];
  for (let i = lo; i < t.keyA.length && t.keyA[i] === a && t.keyB[i] === b; i++)
    found.push(t.value[i] as number);
  return found;
}

function unpackRows(arrays: Packed['arrays'], labels: unknown, at: number): Rows | undefined {
  const [keyA, keyB, value] = arrays.slice(at, at + 3);
  if (
    !(keyA instanceof Uint32Array) ||
    !(keyB instanceof Uint32Array) ||
    !(value instanceof Uint16Array) ||
    keyB.length !== keyA.length ||
    value.length !== keyA.length ||
    !Array.isArray(labels) ||
    !labels.every((l) => typeof l === 'string') ||
    value.some((v) => v >= labels.length)
  )
    return undefined;
  // A text listed under two entries has one row for each.
  if (!sortedKeys(keyA, keyB, true)) return undefined;
  return { keyA, keyB, value, labels: labels as string[] };
}

/**
 * What curators have settled, word for word (as `typedAlike` folds it): which entries list a
 * question among their example questions, and how a question listed among the curated declines
 * (`out-of-scope.yaml`, any kind but `uncovered`) is declined. A curator who lists a question has
 * said how it is to be answered, whatever the models make of it. Known gaps are left to the
 * models: the register may have learnt since what a gap once asked for.
 *
 * Folding every example takes tens of milliseconds here, so the table is built on the first
 * question, not at start-up, and kept with the other start-up caches when `dirs` are given:
 * the two hashes of each folded text, about 130 kB, read back in well under a millisecond.
 */
export class Curated {
  private table?: Table;

  constructor(
    private readonly knowledge: Knowledge,
    private readonly dirs: readonly string[] = [],
    /** `labelledDigest` of the example questions and their entries, when the caller has it. */
    private readonly examplesDigest?: string,
  ) {}

  /** The entries that list `text` among their example questions, in the knowledge's order. */
  owners(text: string): string[] | undefined {
    return this.match(text)?.owners;
  }

  /** How `text` is declined if it is a curated decline, else undefined. */
  declined(text: string): DeclinedAs | undefined {
    return this.match(text)?.declined;
  }

  /**
   * Both at once, folding and hashing `text` once: the entries that list it as an example (in
   * the knowledge's order), else how it is declined if it is a curated decline; undefined when it
   * is neither.
   */
  match(text: string): { owners?: string[]; declined?: DeclinedAs } | undefined {
    const key = typedAlike(text);
    if (!key) return undefined;
    const [a, b] = hashes(key);
    const { examples, declines } = this.load();
    const found = lookup(examples, a, b);
    if (found.length) {
      const ids = found.map((i) => examples.labels[i] as string);
      if (ids.length > 1) {
        const order = this.knowledge.entries.map((e) => e.id);
        ids.sort((x, y) => order.indexOf(x) - order.indexOf(y));
      }
      return { owners: ids };
    }
    const [first] = lookup(declines, a, b);
    return first === undefined ? undefined : { declined: declines.labels[first] as DeclinedAs };
  }

  /** Builds (or reads) the table now, as the build does to keep it in its cache. */
  load(): Table {
    if (this.table) return this.table;
    const k = this.knowledge;
    const examples = k.entries.flatMap((e) => e.questions.map((q): [string, string] => [q, e.id]));
    const declines = (k.declines ?? []).map((q): [string, string] => {
      const kind = k.declineKinds?.get(q);
      return [q, kind && (DECLINE_KINDS as readonly string[]).includes(kind) ? kind : 'unrelated'];
    });
    const build = () => ({ examples: rows(examples), declines: rows(declines) });
    // Kept in memory only: no digest to work out for a file name.
    if (!this.dirs.length) {
      this.table = build();
      return this.table;
    }
    const digest = [
      FORMAT,
      this.examplesDigest ??
        labelledDigest(
          examples.map(([q]) => q),
          examples.map(([, id]) => id),
        ),
      labelledDigest(
        declines.map(([q]) => q),
        declines.map(([, kind]) => kind),
      ),
    ].join(':');
    const name = `curated-${labelledDigest([digest]).slice(0, 24)}.bin`;
    this.table = cachedPacked(this.dirs, name, {
      build,
      pack: (t) => ({
        meta: { examples: t.examples.labels, declines: t.declines.labels },
        arrays: [
          t.examples.keyA,
          t.examples.keyB,
          t.examples.value,
          t.declines.keyA,
          t.declines.keyB,
          t.declines.value,
        ],
      }),
      unpack: (p) => {
        const m = p.meta as { examples?: unknown; declines?: unknown } | null;
        const ex = unpackRows(p.arrays, m?.examples, 0);
        const de = unpackRows(p.arrays, m?.declines, 3);
        return ex && de && p.arrays.length === 6 ? { examples: ex, declines: de } : undefined;
      },
    });
    return this.table;
  }
}

const byKnowledge = new WeakMap<Knowledge, Curated>();

/** The curated table of `knowledge` kept in memory only (scripts, reviews and tests). */
export function curatedFor(knowledge: Knowledge): Curated {
  let c = byKnowledge.get(knowledge);
  if (!c) {
    c = new Curated(knowledge);
    byKnowledge.set(knowledge, c);
  }
  return c;
}

/** `Curated.owners` of the knowledge's in-memory table. */
export const curatedOwners = (knowledge: Knowledge, text: string) =>
  curatedFor(knowledge).owners(text);

/** `Curated.declined` of the knowledge's in-memory table. */
export const curatedDecline = (knowledge: Knowledge, text: string) =>
  curatedFor(knowledge).declined(text);
