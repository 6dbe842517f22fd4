import type { Hash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Start-up caches of work derived from the knowledge (analysed terms, word counts, trained
 * weights). A value is read from the first folder that has a valid file of that name; otherwise it
 * is computed and written to the first folder. Names carry a hash of everything the value depends
 * on, so a stale file is never read. Damaged files are ignored, and a failure to write only costs
 * the next start some time.
 */
export function cachedValue<T>(
  dirs: readonly string[],
  name: string,
  compute: () => T,
  valid: (value: unknown) => value is T,
): T {
  for (const dir of dirs) {
    const file = join(dir, name);
    const saved = readJson(file);
    if (saved !== undefined && valid(saved)) return saved;
    // Parsed but not of the right shape: not a value this process used.
    used.delete(resolve(file));
  }
  const value = compute();
  if (dirs[0]) writeJson(join(dirs[0], name), value);
  return value;
}

/** Cache files this process has read a value from or written one to (see `pruneCache`). */
const used = new Set<string>();

/** The parsed JSON in `file`, or undefined when it is missing or unreadable. */
export function readJson(file: string): unknown {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    used.add(resolve(file));
    return value;
  } catch {
    return undefined;
  }
}

/**
 * Removes the files in `dir` that this process neither read nor wrote, and returns how many: the
 * values of knowledge or code that has since changed (their names carry a hash of what they came
 * from, so nothing would ever read them again). Files being written (`.tmp`) are left alone.
 */
export function pruneCache(dir: string): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (name.endsWith('.tmp') || used.has(resolve(dir, name))) continue;
    try {
      unlinkSync(join(dir, name));
      removed++;
    } catch {
      // Gone already, or not ours to remove: either way nothing to do.
    }
  }
  return removed;
}

/** Writes `value` as JSON, atomically; a failure is ignored (a cache is only a saving). */
export function writeJson(file: string, value: unknown): void {
  writeAtomically(file, () => JSON.stringify(value));
}

/** Writes a file whole or not at all; a failure is ignored (a cache is only a saving). */
function writeAtomically(file: string, data: () => string | Uint8Array): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    // A name of its own, so two processes sharing the folder never write into one file.
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, data());
    renameSync(tmp, file);
    used.add(resolve(file));
  } catch {
    // A cache that cannot be written only costs the next start some time.
  }
}

/** Items of a list are hashed this many characters of JSON at a time, or about (see `hashJson`). */
const HASH_BATCH_CHARS = 16_384;

/**
 * Feeds `value` (plain data: strings, numbers, booleans, null, lists and objects) into `hash`, for
 * a cache key: the same value always gives the same bytes, and different values different bytes.
 * It does what `hash.update(JSON.stringify(value))` would for a key, without building one string
 * of the whole value: the retriever's sources are megabytes, and one string that size (and its
 * UTF-8 copy) cost a start tens of milliseconds. A string goes in as it is, after `s`, its length
 * and a colon (the length says where it ends, so nothing in it needs escaping): escaping every
 * text as JSON was most of what hashing the shipped guidance cost (about 20 ms of a start, where
 * this takes 3). A list's other items, except lists, are written as JSON and go in batches of about
 * `HASH_BATCH_CHARS`, each as `<` + the items' JSON joined by commas + `>`; nested lists, which
 * may be long, are walked the same way. Each part starts with its own mark (`s`, `<`, `[`), so
 * no part is mistaken for another. So a long list of texts is best hashed as one list of strings
 * (the texts of objects, taken out as a list of their own), not as a list of objects.
 */
export function hashJson(hash: Hash, value: unknown): Hash {
  if (typeof value === 'string') return hash.update(`s${value.length}:`).update(value);
  if (Array.isArray(value)) {
    hash.update('[');
    let batch: string[] = [];
    let chars = 0;
    const flush = () => {
      if (!batch.length) return;
      hash.update(`<${batch.join(',')}>`);
      batch = [];
      chars = 0;
    };
    for (const item of value) {
      if (typeof item === 'string' || Array.isArray(item)) {
        flush();
        hashJson(hash, item);
        hash.update(',');
        continue;
      }
      const json = JSON.stringify(item) ?? 'null';
      batch.push(json);
      chars += json.length;
      if (chars >= HASH_BATCH_CHARS) flush();
    }
    flush();
    return hash.update(']');
  }
  if (value !== null && typeof value === 'object') {
    hash.update('{');
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      hash.update(`${JSON.stringify(k)}:`);
      hashJson(hash, v);
      hash.update(',');
    }
    return hash.update('}');
  }
  return hash.update(JSON.stringify(value) ?? 'undefined');
}

/** True for a list of strings (the JSON part of a packed value is checked with it). */
export const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Numbers kept in binary: read back as views on the file's bytes, with no parsing. */
export type PackedArray = Uint32Array | Int32Array | Uint16Array | Float32Array | Float64Array;
/** A value kept on disk as a small JSON part and numeric arrays in binary. */
export interface Packed {
  meta: unknown;
  arrays: PackedArray[];
}

const MAGIC = 'SCAPACK1';
const KINDS = {
  u32: Uint32Array,
  i32: Int32Array,
  u16: Uint16Array,
  f32: Float32Array,
  f64: Float64Array,
} as const;
type Kind = keyof typeof KINDS;
const kindOf = (a: PackedArray): Kind =>
  (Object.keys(KINDS) as Kind[]).find((k) => a instanceof KINDS[k]) ?? 'f64';
const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** How a value is built, and turned into a packed file and back. */
export interface PackedCodec<T> {
  build: () => T;
  pack: (value: T) => Packed;
  /** The value in a packed file, or undefined when the file's parts do not fit together. */
  unpack: (packed: Packed) => T | undefined;
}

/**
 * As `cachedValue`, for values with large numeric arrays (built search indexes): the arrays are
 * written as raw bytes and read back as views, which is far quicker than JSON. Files carry the
 * machine's byte order in their header and are ignored on a machine with another.
 */
export function cachedPacked<T>(dirs: readonly string[], name: string, codec: PackedCodec<T>): T {
  for (const dir of dirs) {
    const saved = readPacked(join(dir, name));
    const value = saved && codec.unpack(saved);
    if (value) return value;
  }
  const value = codec.build();
  if (dirs[0]) writePacked(join(dirs[0], name), codec.pack(value));
  return value;
}

const ORDER = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 'LE' : 'BE';

/** The file's layout: magic, header length (u32), JSON header, then each array 8-byte aligned. */
export function encodePacked(value: Packed): Buffer {
  const header = Buffer.from(
    JSON.stringify({
      order: ORDER,
      meta: value.meta,
      arrays: value.arrays.map((a) => ({ kind: kindOf(a), length: a.length })),
    }),
  );
  let size = align8(MAGIC.length + 4 + header.length);
  const offsets = value.arrays.map((a) => {
    const at = size;
    size = align8(size + a.byteLength);
    return at;
  });
  const out = Buffer.alloc(size);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, MAGIC.length);
  header.copy(out, MAGIC.length + 4);
  value.arrays.forEach((a, i) => {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offsets[i]);
  });
  return out;
}

/** The value in `bytes`, or undefined when they are not a whole, well-formed packed file. */
export function decodePacked(bytes: Uint8Array): Packed | undefined {
  try {
    const head = MAGIC.length + 4;
    if (
      bytes.length < head ||
      Buffer.from(bytes.subarray(0, MAGIC.length)).toString('latin1') !== MAGIC
    )
      return undefined;
    // Views need their element size's alignment: copy when the bytes do not start on one.
    const buf = bytes.byteOffset % 8 ? new Uint8Array(bytes) : bytes;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const length = view.getUint32(MAGIC.length, true);
    if (head + length > buf.length) return undefined;
    const header = JSON.parse(Buffer.from(buf.subarray(head, head + length)).toString('utf8')) as {
      order?: unknown;
      meta?: unknown;
      arrays?: { kind?: unknown; length?: unknown }[];
    };
    if (header.order !== ORDER || !Array.isArray(header.arrays)) return undefined;
    let at = align8(head + length);
    const arrays: PackedArray[] = [];
    for (const { kind, length: n } of header.arrays) {
      const Type =
        typeof kind === 'string' && Object.hasOwn(KINDS, kind) ? KINDS[kind as Kind] : undefined;
      if (!Type || !Number.isInteger(n) || (n as number) < 0) return undefined;
      const bytesLong = (n as number) * Type.BYTES_PER_ELEMENT;
      if (at + bytesLong > buf.length) return undefined;
      arrays.push(new Type(buf.buffer as ArrayBuffer, buf.byteOffset + at, n as number));
      at = align8(at + bytesLong);
    }
    return { meta: header.meta, arrays };
  } catch {
    return undefined;
  }
}

function readPacked(file: string): Packed | undefined {
  try {
    const packed = decodePacked(readFileSync(file));
    if (packed) used.add(resolve(file));
    return packed;
  } catch {
    return undefined;
  }
}

function writePacked(file: string, value: Packed): void {
  writeAtomically(file, () => encodePacked(value));
}

/**
 * Texts by key, kept as one line of JSON naming the keys and each text's length in bytes, then
 * the texts' UTF-8 bytes one after another. Reading it decodes each text from its own bytes, with
 * no JSON to unescape: kept as a JSON object instead, the parsed YAML cache (1.7 MB of JSON texts)
 * was parsed twice at every start, once as the object and once per text.
 */
export function writeTexts(file: string, texts: ReadonlyMap<string, string>): void {
  writeAtomically(file, () => {
    const bodies = [...texts.values()].map((t) => Buffer.from(t, 'utf8'));
    const header = JSON.stringify({ keys: [...texts.keys()], bytes: bodies.map((b) => b.length) });
    return Buffer.concat([Buffer.from(`${header}\n`, 'utf8'), ...bodies]);
  });
}

/** The texts `writeTexts` kept in `file`, or undefined when it is missing, damaged or cut short. */
export function readTexts(file: string): Map<string, string> | undefined {
  try {
    const data = readFileSync(file);
    const eol = data.indexOf(10);
    if (eol < 0) return undefined;
    const { keys, bytes } = JSON.parse(data.toString('utf8', 0, eol)) as {
      keys?: unknown;
      bytes?: unknown;
    };
    if (!isStringArray(keys) || !Array.isArray(bytes) || bytes.length !== keys.length)
      return undefined;
    const texts = new Map<string, string>();
    let at = eol + 1;
    for (const [i, key] of keys.entries()) {
      const n = bytes[i];
      if (!Number.isSafeInteger(n) || n < 0 || at + n > data.length) return undefined;
      texts.set(key, data.toString('utf8', at, at + n));
      at += n;
    }
    if (at !== data.length) return undefined;
    used.add(resolve(file));
    return texts;
  } catch {
    return undefined;
  }
}
