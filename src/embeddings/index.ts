/**
 * Optional dense retrieval: off unless EMBEDDINGS_BASE_URL is set. Entries are embedded once
 * (cached on disk under DATA_DIR/embeddings, keyed by a hash of model and text), then each
 * question. Dense and BM25 rankings are combined by reciprocal rank fusion; on any failure
 * `rank` gives undefined and the caller uses BM25 alone.
 *
 * How the caller uses it:
 *
 * ```ts
 * const semantic = semanticFromConfig(config, { entries, clock, logger }); // undefined: off
 * // the first build runs in the background; `await semantic?.refresh()` to wait for it
 * const dense = await semantic?.rank(strippedQuestion, signal); // undefined: BM25 alone
 * const order = dense
 *   ? fuseRankings([bm25Hits.map((h) => h.entry.id), dense.slice(0, 20).map((h) => h.id)])
 *   : bm25Hits.map((h) => ({ id: h.entry.id, score: h.score }));
 * // at shutdown: await semantic?.close();
 * ```
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Entry } from '../knowledge/index.js';
import { EmbeddingsClient } from './client.js';
import { SemanticIndex } from './semantic.js';

export { CACHE_VERSION, cacheFile, readVectorCache, vectorKey, writeVectorCache } from './cache.js';
export {
  EmbeddingsClient,
  type EmbeddingsDeps,
  type EmbeddingsSettings,
  type EmbedFailureReason,
  type EmbedResult,
  embeddingsUrl,
  parseEmbeddings,
} from './client.js';
export { type Fused, fuseRankings } from './fuse.js';
export { type SemanticHit, SemanticIndex, type SemanticOptions } from './semantic.js';
export { BODY_CHARS, entryTexts } from './texts.js';

/** What `semanticFromConfig` is given rather than creating itself. */
export interface SemanticDeps {
  entries: readonly Entry[];
  clock: Clock;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  dispatcher?: Dispatcher;
}

/**
 * The semantic index for the settings, with its first build started in the background, or
 * undefined when EMBEDDINGS_BASE_URL is unset (dense retrieval off).
 */
export function semanticFromConfig(
  config: Pick<
    Config,
    | 'EMBEDDINGS_BASE_URL'
    | 'EMBEDDINGS_API_KEY'
    | 'EMBEDDINGS_MODEL'
    | 'EMBEDDINGS_TIMEOUT_MS'
    | 'LLM_SEND_PERSONAL_DATA'
    | 'DATA_DIR'
  >,
  deps: SemanticDeps,
): SemanticIndex | undefined {
  if (!config.EMBEDDINGS_BASE_URL) return undefined;
  const client = new EmbeddingsClient(
    {
      baseUrl: config.EMBEDDINGS_BASE_URL,
      apiKey: config.EMBEDDINGS_API_KEY,
      model: config.EMBEDDINGS_MODEL,
      timeoutMs: config.EMBEDDINGS_TIMEOUT_MS,
    },
    { clock: deps.clock, sleep: deps.sleep, dispatcher: deps.dispatcher },
  );
  const index = SemanticIndex.create(deps.entries, {
    client,
    cacheDir: join(config.DATA_DIR, 'embeddings'),
    logger: deps.logger,
    clock: deps.clock,
    sendPersonalData: config.LLM_SEND_PERSONAL_DATA,
  });
  void index.refresh();
  return index;
}
