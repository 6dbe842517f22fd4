import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Yaml from 'yaml';
import { type ZodError, type ZodType, z } from 'zod';
import { readTexts, writeTexts } from '../disk-cache.js';
import { AdvisorError, ErrorCode } from '../errors.js';

/** Problems found in one file, each naming the entry and the field. */
export interface KnowledgeProblem {
  file: string;
  entry?: string;
  field?: string;
  message: string;
}

/** Formats a problem as `file (entry "id"), field: message`. */
export function formatProblem(p: KnowledgeProblem): string {
  const where = [p.file, p.entry ? `entry "${p.entry}"` : undefined].filter(Boolean).join(', ');
  return `${where}${p.field ? `, field "${p.field}"` : ''}: ${p.message}`;
}

/**
 * Parsed YAML kept between runs, keyed by a hash of the text: parsing the knowledge folder's YAML
 * is most of its loading time, and the same text always parses to the same value (the core
 * schema gives only strings, numbers, booleans, nulls, lists and maps). Texts that fail to parse
 * are never kept. A text checked against a schema (`checkYamlText`) is kept as the checked value
 * too, keyed also by the checking code, so an unchanged file is not checked again.
 */
const CACHE_FORMAT = 2;
const parsedCache = new Map<string, string>();
let recording: Map<string, string> | undefined;
let misses = 0;
/** Cache folders not read yet: read, in order, only when a text is not in those read so far. */
let laterDirs: string[] = [];
/** True when a text came from a later folder: the first one is then out of date. */
let fromLater = false;

/**
 * The cached value under `key`. On a miss, the later cache folders are read in turn: after an
 * upgrade, the data folder's cache holds the old build's texts while the build's own cache
 * (dist/cache) holds the new ones, and one stale file must not make the whole knowledge be
 * parsed and checked again.
 */
function cachedText(key: string): string | undefined {
  let cached = parsedCache.get(key);
  while (cached === undefined && laterDirs.length) {
    const saved = readTexts(join(laterDirs.shift() as string, cacheName()));
    if (!saved) continue;
    for (const [k, v] of saved) if (!parsedCache.has(k)) parsedCache.set(k, v);
    cached = parsedCache.get(key);
    if (cached !== undefined) fromLater = true;
  }
  return cached;
}

const hashText = (text: string) => createHash('sha256').update(text).digest('base64url');
const cacheName = () => `yaml-${CACHE_FORMAT}.bin`;

/**
 * Runs `load` with parsed YAML read from the first cache folder that has it; what `load` parses
 * is written to the first folder (a failure to write only costs the next start some time).
 */
export async function withYamlCache<T>(
  cacheDirs: readonly string[],
  load: () => Promise<T>,
): Promise<T> {
  if (!cacheDirs.length) return load();
  laterDirs = [...cacheDirs];
  while (laterDirs.length) {
    // No cache there, or an unreadable one: try the next, else parse.
    const saved = readTexts(join(laterDirs.shift() as string, cacheName()));
    if (!saved) continue;
    for (const [k, v] of saved) parsedCache.set(k, v);
    break;
  }
  recording = new Map();
  misses = 0;
  fromLater = false;
  try {
    const result = await load();
    // Written only when a text had to be parsed or came from a later folder, and then with this
    // load's texts alone, so a cache never grows with old versions of a file. A load that reads
    // fewer files than the one that wrote the cache (the CLI reads no checklists or contacts)
    // leaves it as it is: rewriting it with that subset made the next server start parse the
    // rest again and write it back.
    if (misses > 0 || fromLater) writeYamlCache(cacheDirs[0] ?? '', recording);
    return result;
  } finally {
    recording = undefined;
    laterDirs = [];
    parsedCache.clear();
  }
}

function writeYamlCache(dir: string, entries: Map<string, string>): void {
  writeTexts(join(dir, cacheName()), entries);
}

/**
 * Parses YAML (front matter, the register). Numbers written with a leading zero (a phone prefix such as
 * 0800) keep their digits as text, because a curator never means the number 800.
 */
export function parseYamlText(text: string): unknown {
  if (!recording) return parseYaml(text);
  const key = hashText(text);
  const cached = cachedText(key);
  if (cached !== undefined) {
    recording.set(key, cached);
    return JSON.parse(cached);
  }
  const value = parseYaml(text);
  recording.set(key, JSON.stringify(value));
  misses++;
  return value;
}

// The YAML parser is loaded the first time a text is not in the start-up cache: a start with the
// knowledge unchanged never loads it. Its CommonJS build loads synchronously.
const loadCommonJs = createRequire(import.meta.url);
let yaml: typeof Yaml | undefined;

function parseYaml(text: string): unknown {
  yaml ??= loadCommonJs('yaml') as typeof Yaml;
  const { isScalar, parseDocument, visit } = yaml;
  const doc = parseDocument(text, { schema: 'core', prettyErrors: true });
  if (doc.errors.length) throw doc.errors[0];
  visit(doc, {
    Scalar(_key, node) {
      if (
        isScalar(node) &&
        typeof node.value === 'number' &&
        typeof node.source === 'string' &&
        /^0\d/.test(node.source)
      ) {
        node.value = node.source;
      }
    },
  });
  return doc.toJS();
}

/** An optional file's text: `undefined` when it is absent. Read at start-up, so synchronously. */
function readOptionalText(dir: string, file: string): string | undefined {
  try {
    return readFileSync(join(dir, file), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Runs `parse`, turning a YAML error into a problem that names the file. */
function yamlOf<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw knowledgeError([
      { file, message: `not valid YAML: ${(err as Error).message.split('\n')[0]}` },
    ]);
  }
}

/** A checked YAML text: the checked value, or the schema's issues with the parsed value they are about. */
export type Checked<T> =
  | { success: true; data: T }
  | { success: false; error: ZodError; data: unknown };

/** What the checking code is: one fingerprint per schema, worked out when first needed. */
const fingerprints = new WeakMap<ZodType, string>();
/** Each module file's digest, read once: in the bundle, several schemas share one chunk. */
const moduleDigests = new Map<string, string>();

function moduleDigest(moduleUrl: string): string {
  let digest = moduleDigests.get(moduleUrl);
  if (digest === undefined) {
    digest = createHash('sha256')
      .update(readFileSync(fileURLToPath(moduleUrl)))
      .digest('base64url');
    moduleDigests.set(moduleUrl, digest);
  }
  return digest;
}

/**
 * A fingerprint of the code that checks against `schema`, defined in the module at `moduleUrl`:
 * that module's file (in the bundle, the chunk holding it, rules and messages included), the
 * schema's shape as JSON Schema (which names the lists of kinds and the patterns it takes from
 * other modules) and zod's version. A file that cannot be read gives a fingerprint no cache has.
 */
function fingerprint(schema: ZodType, moduleUrl: string): string {
  let print = fingerprints.get(schema);
  if (print === undefined) {
    try {
      const { major, minor, patch } = z.core.version;
      print = createHash('sha256')
        .update(moduleDigest(moduleUrl))
        .update(JSON.stringify(z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' })))
        .update(`zod ${major}.${minor}.${patch}`)
        .digest('base64url');
    } catch {
      print = randomUUID();
    }
    fingerprints.set(schema, print);
  }
  return print;
}

/**
 * Parses a YAML text and checks it against `schema` (defined in the module at `moduleUrl`), as
 * `schema.safeParse(parseYamlText(text))` would. Inside `withYamlCache`, a text that passed the
 * same check before comes back from the cache as the checked value, unparsed and unchecked: zod's
 * first runs are most of what loading unchanged knowledge costs. Only passing texts are kept. A
 * YAML error is thrown, as `parseYamlText` throws it.
 */
export function checkYamlText<T>(text: string, schema: ZodType<T>, moduleUrl: string): Checked<T> {
  if (!recording) return checkValue(parseYamlText(text), schema);
  const textKey = hashText(text);
  const key = `checked:${fingerprint(schema, moduleUrl)}:${textKey}`;
  const cached = cachedText(key);
  if (cached !== undefined) {
    recording.set(key, cached);
    return { success: true, data: JSON.parse(cached) as T };
  }
  const checked = checkValue(parseYamlText(text), schema);
  if (checked.success) {
    // The checked value stands in for the parsed one; a text that fails keeps its parsed value.
    recording.delete(textKey);
    recording.set(key, JSON.stringify(checked.data));
    misses++;
  }
  return checked;
}

function checkValue<T>(data: unknown, schema: ZodType<T>): Checked<T> {
  const parsed = schema.safeParse(data);
  return parsed.success
    ? { success: true, data: parsed.data }
    : { success: false, error: parsed.error, data };
}

/**
 * Reads an optional YAML file in the knowledge folder and checks it (see `checkYamlText`):
 * `undefined` when it is absent.
 */
export async function readOptionalChecked<T>(
  dir: string,
  file: string,
  schema: ZodType<T>,
  moduleUrl: string,
): Promise<Checked<T> | undefined> {
  const text = readOptionalText(dir, file);
  return text === undefined
    ? undefined
    : yamlOf(file, () => checkYamlText(text, schema, moduleUrl));
}

/**
 * Turns schema issues in a file that holds a list (`councils:`) into problems that name the
 * list item by `label` (e.g. "council Hamilton") and the field inside it.
 */
export function listProblems(
  file: string,
  data: unknown,
  issues: readonly { path: PropertyKey[]; message: string }[],
  listKey: string,
  label: (item: Record<string, unknown>) => string | undefined,
): KnowledgeProblem[] {
  const list = (data as Record<string, unknown> | null)?.[listKey];
  return issues.map((issue) => {
    const [first, index, ...rest] = issue.path;
    const item =
      first === listKey && typeof index === 'number' && Array.isArray(list)
        ? (list[index] as Record<string, unknown> | null)
        : undefined;
    const entry = item && typeof item === 'object' ? label(item) : undefined;
    return {
      file,
      entry,
      field: (entry ? rest : issue.path).map(String).join('.') || undefined,
      message: issue.message,
    };
  });
}

/** One error listing every problem (up to 20), each naming file, entry and field. */
export function knowledgeError(problems: KnowledgeProblem[]): AdvisorError {
  const lines = problems.slice(0, 20).map((p) => `  - ${formatProblem(p)}`);
  if (problems.length > 20) lines.push(`  - ...and ${problems.length - 20} more`);
  const err = new AdvisorError(
    ErrorCode.KnowledgeInvalid,
    `The knowledge file has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${lines.join('\n')}`,
  );
  (err as AdvisorError & { problems: KnowledgeProblem[] }).problems = problems;
  return err;
}
