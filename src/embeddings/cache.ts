import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';

/** The cache format this code writes; a file of any other version is ignored and rebuilt. */
export const CACHE_VERSION = 1;

const CacheSchema = z.object({
  version: z.literal(CACHE_VERSION),
  model: z.string(),
  dims: z.number().int().positive(),
  /** Key (see `vectorKey`) to a base64 little-endian float32 vector. */
  vectors: z.record(z.string(), z.string()),
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The cache key of one embedded text: a change to the model or the text makes a new key. */
export function vectorKey(model: string, text: string): string {
  return sha256(`${model}\n${text}`);
}

/** The cache file for a model inside `cacheDir`, named by a hash so any model name is safe. */
export function cacheFile(cacheDir: string, model: string): string {
  return join(cacheDir, `${sha256(model).slice(0, 16)}.json`);
}

function encode(v: Float32Array): string {
  const bytes = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) bytes.writeFloatLE(v[i] ?? 0, i * 4);
  return bytes.toString('base64');
}

function decode(text: string, dims: number): Float32Array | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== dims * 4) return undefined;
  const v = new Float32Array(dims);
  for (let i = 0; i < dims; i++) v[i] = bytes.readFloatLE(i * 4);
  return v.every(Number.isFinite) ? v : undefined;
}

/**
 * Reads the cached vectors for `model`. A missing file is an empty cache; an unreadable, corrupt
 * or other-model file is logged and treated as empty, so it is rebuilt. Never throws.
 */
export async function readVectorCache(
  file: string,
  model: string,
  logger: Logger,
): Promise<Map<string, Float32Array>> {
  const vectors = new Map<string, Float32Array>();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      logger.warn({ err, file }, 'embedding cache unreadable; rebuilding it');
    return vectors;
  }
  let parsed: z.infer<typeof CacheSchema>;
  try {
    parsed = CacheSchema.parse(JSON.parse(text));
  } catch {
    logger.warn({ file }, 'embedding cache corrupt; rebuilding it');
    return vectors;
  }
  if (parsed.model !== model) {
    logger.warn({ file }, 'embedding cache is for another model; rebuilding it');
    return vectors;
  }
  for (const [key, value] of Object.entries(parsed.vectors)) {
    const v = decode(value, parsed.dims);
    if (v) vectors.set(key, v);
  }
  return vectors;
}

/** Writes the vectors atomically (a temporary file, then a rename). Throws on a file-system error. */
export async function writeVectorCache(
  file: string,
  model: string,
  vectors: ReadonlyMap<string, Float32Array>,
): Promise<void> {
  const dims = vectors.values().next().value?.length ?? 1;
  const body = {
    version: CACHE_VERSION,
    model,
    dims,
    vectors: Object.fromEntries([...vectors].map(([k, v]) => [k, encode(v)])),
  };
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(body));
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
