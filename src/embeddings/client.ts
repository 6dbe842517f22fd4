import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import { endpointUrl, JsonClient } from '../llm/http.js';
import { CircuitBreaker } from '../llm/limits.js';
import type { AuthHeaderMode } from '../llm/types.js';

/** Settings for the embeddings client; `semanticFromConfig` fills them from `Config`. */
export interface EmbeddingsSettings {
  /** An OpenAI-compatible base URL (`.../v1`) or a full `/embeddings` URL (Azure, with `?api-version=`). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer` or `api-key` (Azure hosts); omit for local servers. */
  apiKey?: string;
  /** Default: `api-key` for Azure hosts, else `bearer`. */
  authHeader?: AuthHeaderMode;
  model: string;
  /** Budget for one request (one batch), retries and back-off included, unless a call overrides it. */
  timeoutMs: number;
  /** Most inputs in one request (default 64). */
  batchSize?: number;
  /** Retries after a 429, a 5xx or a network error (default 2). */
  maxRetries?: number;
  /** Longest Retry-After honoured (default 5 s). */
  maxRetryAfterMs?: number;
  /** Largest response body read (default 16 MiB: 64 vectors of 3072 numbers fit easily). */
  maxBodyBytes?: number;
  /** Consecutive failed calls that open the circuit (default 3). */
  breakerThreshold?: number;
  /** How long an open circuit refuses calls (default 60 s). */
  breakerCoolDownMs?: number;
}

/** Why there are no vectors; every case means "rank by BM25 alone". */
export type EmbedFailureReason =
  | 'no-input'
  | 'circuit-open'
  | 'timeout'
  | 'aborted'
  | 'http-error'
  | 'bad-response';

/** One vector per input, in input order, all of one length; or why not. */
export type EmbedResult =
  | { ok: true; vectors: Float32Array[]; attempts: number }
  | { ok: false; reason: EmbedFailureReason; detail?: string; attempts: number };

/** What the client is given rather than creating itself, so tests control time and network. */
export interface EmbeddingsDeps {
  clock: Clock;
  /** Back-off waits go through this; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** An undici dispatcher (a MockAgent in tests); by default the client pools its own. */
  dispatcher?: Dispatcher;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The embeddings URL: a base URL gets `/embeddings`, a full URL is used as it is. */
export function embeddingsUrl(baseUrl: string): URL {
  return endpointUrl(baseUrl, '/embeddings');
}

/** A base64 embedding (`encoding_format: base64`) as little-endian float32s. */
function fromBase64(text: string): Float32Array | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0 || bytes.length % 4 !== 0) return undefined;
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

/**
 * Checks an embeddings response for `count` inputs: `data` has one item per input, each index
 * used once (items are put in index order), every vector the same non-zero length and finite.
 */
export function parseEmbeddings(
  json: unknown,
  count: number,
): { value: Float32Array[] } | { error: string } {
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return { error: 'no data array' };
  if (data.length !== count) return { error: `${data.length} vectors for ${count} inputs` };
  const out: (Float32Array | undefined)[] = new Array(count).fill(undefined);
  for (const [position, item] of data.entries()) {
    const { embedding, index = position } = (item ?? {}) as {
      embedding?: unknown;
      index?: unknown;
    };
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count)
      return { error: 'bad index' };
    if (out[index]) return { error: `index ${index} twice` };
    let vector: Float32Array | undefined;
    if (typeof embedding === 'string') vector = fromBase64(embedding);
    else if (Array.isArray(embedding) && embedding.every((x) => typeof x === 'number'))
      vector = Float32Array.from(embedding as number[]);
    if (!vector || vector.length === 0) return { error: 'missing embedding' };
    if (!vector.every(Number.isFinite)) return { error: 'non-finite number in embedding' };
    out[index] = vector;
  }
  const vectors = out as Float32Array[];
  const dims = vectors[0]?.length;
  if (vectors.some((v) => v.length !== dims)) return { error: 'vectors of different lengths' };
  return { value: vectors };
}

/**
 * An OpenAI-compatible embeddings client (`POST {base}/embeddings`): batches, retries, a time
 * budget per request, a body-size cap, response validation and a circuit breaker. Never throws.
 */
export class EmbeddingsClient {
  /** The model name, which also keys the vector cache. */
  readonly model: string;
  /** Most inputs per request. */
  readonly batchSize: number;
  private readonly http: JsonClient;
  private readonly breaker: CircuitBreaker;

  constructor(settings: EmbeddingsSettings, deps: EmbeddingsDeps) {
    this.model = settings.model;
    this.batchSize = Math.max(1, settings.batchSize ?? 64);
    this.http = new JsonClient(
      embeddingsUrl(settings.baseUrl),
      {
        apiKey: settings.apiKey,
        authHeader: settings.authHeader,
        timeoutMs: settings.timeoutMs,
        maxRetries: settings.maxRetries ?? 2,
        maxRetryAfterMs: settings.maxRetryAfterMs ?? 5_000,
        maxBodyBytes: settings.maxBodyBytes ?? 16 << 20,
      },
      { clock: deps.clock, sleep: deps.sleep ?? realSleep, dispatcher: deps.dispatcher },
    );
    this.breaker = new CircuitBreaker(
      settings.breakerThreshold ?? 3,
      settings.breakerCoolDownMs ?? 60_000,
      deps.clock,
    );
  }

  /**
   * Embeds `inputs` in batches of `batchSize`; each request gets `timeoutMs` (the settings' by
   * default). All or nothing: one failed batch fails the call. Never throws.
   */
  async embed(
    inputs: readonly string[],
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<EmbedResult> {
    if (inputs.length === 0 || inputs.some((t) => t.trim() === ''))
      return { ok: false, reason: 'no-input', attempts: 0 };
    if (options.signal?.aborted)
      return { ok: false, reason: 'aborted', detail: 'cancelled by the caller', attempts: 0 };
    if (!this.breaker.allow()) return { ok: false, reason: 'circuit-open', attempts: 0 };
    const vectors: Float32Array[] = [];
    let attempts = 0;
    try {
      for (let start = 0; start < inputs.length; start += this.batchSize) {
        const batch = inputs.slice(start, start + this.batchSize);
        const result = await this.http.post(
          { model: this.model, input: batch, encoding_format: 'float' },
          (json) => parseEmbeddings(json, batch.length),
          options,
        );
        attempts += result.attempts;
        if (!result.ok) {
          // A caller's cancel says nothing about the server's health.
          if (result.reason === 'aborted') this.breaker.release();
          else this.breaker.failure();
          return { ok: false, reason: result.reason, detail: result.detail, attempts };
        }
        if (vectors[0] && result.value[0]?.length !== vectors[0].length) {
          this.breaker.failure();
          return { ok: false, reason: 'bad-response', detail: 'dimensions changed', attempts };
        }
        vectors.push(...result.value);
      }
    } catch (err) {
      // Nothing above should throw; if it does, BM25 alone is still right.
      this.breaker.release();
      return { ok: false, reason: 'bad-response', detail: String(err), attempts };
    }
    this.breaker.success();
    return { ok: true, vectors, attempts };
  }

  /** The circuit breaker's state, for logs. */
  breakerState() {
    return this.breaker.state();
  }

  /** Closes the connection pool if this client created it. */
  async close(): Promise<void> {
    await this.http.close();
  }
}
