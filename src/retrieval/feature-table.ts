/**
 * Open addressing for models that look features (words, word pairs) up by their text: each slot
 * holds two 32-bit hashes of one feature (a 64-bit key), in two typed arrays that load from a
 * cache file as they are, with no strings to parse and no map to build. Two features sharing both
 * hashes would share a slot; tests check that none of the shipped knowledge's features do.
 */

/** A table's keys; which slots are taken is the owner's to say (`taken`). */
export interface TableKeys {
  keyA: Uint32Array;
  keyB: Uint32Array;
}

/**
 * Two 32-bit hashes of a string's UTF-16 code units: FNV-1a, and an FNV variant with another
 * offset and a shift mixed in.
 */
export function hashes(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return [a >>> 0, b >>> 0];
}

/**
 * The most of a table's slots its keys may take. Linear probing stays short up to here (about two
 * slots looked at to find a key, five to find it missing, at three quarters full), and every
 * lookup meets a free slot.
 */
export const MAX_LOAD = 0.75;

/** Slots for `features` keys: the least power of two they fill no more than `MAX_LOAD` of. */
export function tableSize(features: number): number {
  let size = 16;
  while (features > size * MAX_LOAD) size *= 2;
  return size;
}

/**
 * The slot holding the key (a, b), or the first free slot on its probe path (where it would go),
 * or -1 when a whole pass round the table found neither: a damaged table never loops forever.
 */
export function probe(
  keys: TableKeys,
  taken: (slot: number) => boolean,
  a: number,
  b: number,
): number {
  const mask = keys.keyA.length - 1;
  for (let n = 0, i = a & mask; n <= mask; n++, i = (i + 1) & mask) {
    if (!taken(i)) return i;
    if (keys.keyA[i] === a && keys.keyB[i] === b) return i;
  }
  return -1;
}

/** The slot holding `feature`, or -1 when the table does not hold it. */
export function lookup(keys: TableKeys, taken: (slot: number) => boolean, feature: string): number {
  const [a, b] = hashes(feature);
  const i = probe(keys, taken, a, b);
  return i >= 0 && taken(i) ? i : -1;
}

/**
 * Writes `feature`'s key into its slot and returns the slot, for the caller to fill (and so mark
 * taken). A table built no fuller than `MAX_LOAD` always has one.
 */
export function insert(keys: TableKeys, taken: (slot: number) => boolean, feature: string): number {
  const [a, b] = hashes(feature);
  const i = probe(keys, taken, a, b);
  keys.keyA[i] = a;
  keys.keyB[i] = b;
  return i;
}

/** The arrays as a table's keys when they can be: two Uint32Arrays of one length, a power of two. */
export function tableKeys(keyA: unknown, keyB: unknown): TableKeys | undefined {
  if (!(keyA instanceof Uint32Array) || !(keyB instanceof Uint32Array)) return undefined;
  const size = keyA.length;
  return size >= 2 && (size & (size - 1)) === 0 && keyB.length === size
    ? { keyA, keyB }
    : undefined;
}

/**
 * True when the keys are in increasing order (keyA, then keyB): strictly, or with `repeats`,
 * allowing the same key on consecutive rows. Checked on keys read back from a cache file before
 * a binary search trusts them.
 */
export function sortedKeys(keyA: Uint32Array, keyB: Uint32Array, repeats = false): boolean {
  for (let i = 1; i < keyA.length; i++) {
    const a = keyA[i - 1] as number;
    const b = keyA[i] as number;
    if (a > b) return false;
    if (a === b) {
      const pb = keyB[i - 1] as number;
      const cb = keyB[i] as number;
      if (repeats ? pb > cb : pb >= cb) return false;
    }
  }
  return true;
}
