import type { Logger } from 'pino';
import { type Clock, systemClock } from '../clock.js';
import type { Entry } from '../knowledge/index.js';
import { sourceCorpus } from '../llm/prompt.js';
import { type PublicContacts, publicContacts, redactPersonal } from '../llm/redact.js';
import { cacheFile, readVectorCache, vectorKey, writeVectorCache } from './cache.js';
import type { EmbeddingsClient } from './client.js';
import { entryTexts } from './texts.js';

/** Longest question embedded; a chat message is capped anyway, this bounds the request. */
const MAX_QUESTION_CHARS = 2000;

/** One entry's similarity to a question: the cosine of its best-matching text, -1 to 1. */
export interface SemanticHit {
  id: string;
  score: number;
}

/** What the index needs; `semanticFromConfig` fills it from `Config`. */
export interface SemanticOptions {
  client: EmbeddingsClient;
  /** Where the vector cache lives (e.g. `DATA_DIR/embeddings`). */
  cacheDir: string;
  logger: Logger;
  clock?: Clock;
  /** Off (the default): emails and phone numbers in questions are redacted before sending. */
  sendPersonalData?: boolean;
  /** After a failed build, the wait before `rank` tries again in the background (default 5 min). */
  retryMs?: number;
  /** Budget for one batch of entry texts while building (default 30 s); queries use the client's. */
  buildTimeoutMs?: number;
}

/** A text to embed and the entry it belongs to. */
interface Planned {
  entryId: string;
  key: string;
  text: string;
}

/** Scales `v` to length 1 so a dot product is the cosine; undefined for a zero vector. */
function unit(v: Float32Array): Float32Array | undefined {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  if (!(norm > 0) || !Number.isFinite(norm)) return undefined;
  return v.map((x) => x / norm);
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}

/**
 * Dense retrieval over guidance entries. Each entry is embedded as several texts (see
 * `entryTexts`) and scores as its best match. Vectors are cached on disk per model, keyed by a
 * hash of model and text, so a restart re-embeds only entries that changed. Every failure makes
 * `rank` return undefined, which means "use BM25 alone"; nothing here throws.
 */
export class SemanticIndex {
  private readonly plan: Planned[];
  private readonly file: string;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly keep: PublicContacts;
  /** Unit vectors by key; filled from the cache and the server. */
  private vectors = new Map<string, Float32Array>();
  private cacheRead = false;
  /** Each entry's unit vectors, once every text has one. */
  private byEntry: { id: string; vectors: Float32Array[] }[] | undefined;
  private pending: Promise<boolean> | undefined;
  private nextRetryAt = 0;

  private constructor(
    entries: readonly Entry[],
    private readonly opts: SemanticOptions,
  ) {
    this.plan = entries.flatMap((e) =>
      entryTexts(e).map((text) => ({
        entryId: e.id,
        key: vectorKey(opts.client.model, text),
        text,
      })),
    );
    this.file = cacheFile(opts.cacheDir, opts.client.model);
    this.log = opts.logger.child({ component: 'embeddings' });
    this.clock = opts.clock ?? systemClock;
    // Contact details the guidance publishes (NZSIS's number) are not personal; keep them.
    this.keep = publicContacts(sourceCorpus([...entries]));
  }

  /** An index that has not loaded anything yet: `rank` gives undefined until `refresh` succeeds. */
  static create(entries: readonly Entry[], opts: SemanticOptions): SemanticIndex {
    return new SemanticIndex(entries, opts);
  }

  /** Loads cached vectors and embeds the rest. The index is usable even when this fails. */
  static async build(entries: readonly Entry[], opts: SemanticOptions): Promise<SemanticIndex> {
    const index = new SemanticIndex(entries, opts);
    await index.refresh();
    return index;
  }

  /** True when every entry text has a vector, so `rank` can answer. */
  get ready(): boolean {
    return this.byEntry !== undefined;
  }

  /**
   * Makes the index ready: reads the cache once, embeds texts without a vector (in batches,
   * keeping each batch that succeeds) and writes the cache back. Concurrent calls share one run.
   * Resolves to `ready`; never throws.
   */
  refresh(): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    this.pending ??= this.fill()
      .catch((err) => {
        this.log.error({ err }, 'embedding index build failed unexpectedly');
        return false;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  private async fill(resized = false): Promise<boolean> {
    const started = performance.now();
    const { client } = this.opts;
    let dirty = false;
    if (!this.cacheRead) {
      for (const [key, v] of await readVectorCache(this.file, client.model, this.log)) {
        const u = unit(v);
        if (u) this.vectors.set(key, u);
      }
      this.cacheRead = true;
    }
    const wanted = new Set(this.plan.map((p) => p.key));
    if ([...this.vectors.keys()].some((k) => !wanted.has(k))) dirty = true;
    const missing = [
      ...new Map(this.plan.filter((p) => !this.vectors.has(p.key)).map((p) => [p.key, p.text])),
    ];
    const cached = this.plan.filter((p) => this.vectors.has(p.key)).length;
    let failure: string | undefined;
    for (let i = 0; i < missing.length && !failure; i += client.batchSize) {
      const batch = missing.slice(i, i + client.batchSize);
      const result = await client.embed(
        batch.map(([, text]) => text),
        { timeoutMs: this.opts.buildTimeoutMs ?? 30_000 },
      );
      if (!result.ok) {
        failure = result.reason;
        break;
      }
      const units = result.vectors.map(unit);
      const dims = this.vectors.values().next().value?.length;
      if (units.some((u) => !u)) failure = 'zero-vector';
      else if (dims !== undefined && units[0]?.length !== dims) {
        // The server now gives vectors of another size: the cached ones are useless. Once only,
        // so a server that keeps changing its mind cannot keep us re-embedding.
        if (resized) {
          failure = 'dimension-mismatch';
          break;
        }
        this.log.warn({ was: dims, now: units[0]?.length }, 'embedding size changed; re-embedding');
        this.vectors.clear();
        dirty = true;
        return this.fill(true);
      } else {
        for (const [j, [key]] of batch.entries()) this.vectors.set(key, units[j] as Float32Array);
        dirty = true;
      }
    }
    if (dirty) await this.save(wanted);
    const outcome = failure ?? 'ok';
    this.log.info(
      {
        outcome,
        texts: this.plan.length,
        cached,
        embedded: this.plan.filter((p) => this.vectors.has(p.key)).length - cached,
        latencyMs: Math.round(performance.now() - started),
        breaker: client.breakerState(),
      },
      'embedding index',
    );
    if (failure) {
      this.nextRetryAt = this.clock.now().getTime() + (this.opts.retryMs ?? 5 * 60_000);
      return false;
    }
    const byId = new Map<string, Float32Array[]>();
    for (const p of this.plan) {
      const list = byId.get(p.entryId) ?? [];
      list.push(this.vectors.get(p.key) as Float32Array);
      byId.set(p.entryId, list);
    }
    this.byEntry = [...byId].map(([id, vectors]) => ({ id, vectors }));
    return true;
  }

  /** Writes the vectors still in use; a failure costs only a re-embed after the next restart. */
  private async save(wanted: Set<string>): Promise<void> {
    const keep = new Map([...this.vectors].filter(([k]) => wanted.has(k)));
    this.vectors = keep;
    try {
      await writeVectorCache(this.file, this.opts.client.model, keep);
    } catch (err) {
      this.log.warn({ err, file: this.file }, 'could not write the embedding cache');
    }
  }

  /**
   * Every entry's cosine similarity to the (noise-stripped) question, best first, or undefined
   * when dense ranking is unavailable for any reason: not built yet, timeout, HTTP error, bad
   * response, open circuit, cancelled. Never throws.
   */
  async rank(question: string, signal?: AbortSignal): Promise<SemanticHit[] | undefined> {
    const started = performance.now();
    const done = (outcome: string, hits?: SemanticHit[]) => {
      this.log.info(
        {
          outcome,
          latencyMs: Math.round(performance.now() - started),
          top: hits?.[0]?.id,
          breaker: this.opts.client.breakerState(),
        },
        'semantic rank',
      );
      return hits;
    };
    try {
      const byEntry = this.byEntry;
      if (!byEntry) {
        if (!this.pending && this.clock.now().getTime() >= this.nextRetryAt) void this.refresh();
        return done('not-ready');
      }
      const text = (this.opts.sendPersonalData ? question : redactPersonal(question, this.keep))
        .trim()
        .slice(0, MAX_QUESTION_CHARS);
      if (!text) return done('no-input');
      if (byEntry.length === 0) return done('ok', []);
      this.log.debug({ question: text }, 'semantic question');
      const result = await this.opts.client.embed([text], { signal });
      if (!result.ok) return done(result.reason);
      const q = result.vectors[0] && unit(result.vectors[0]);
      if (!q) return done('zero-vector');
      if (q.length !== byEntry[0]?.vectors[0]?.length) {
        // Same model name, different vectors (the server changed): rebuild in the background.
        this.byEntry = undefined;
        this.vectors.clear();
        this.nextRetryAt = 0;
        void this.refresh();
        return done('dimension-mismatch');
      }
      const hits = byEntry
        .map(({ id, vectors }) => ({ id, score: Math.max(...vectors.map((v) => dot(q, v))) }))
        .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
      return done('ok', hits);
    } catch (err) {
      this.log.error({ err }, 'semantic rank failed unexpectedly');
      return done('internal-error');
    }
  }

  /** Waits for a build in progress and closes the client's connection pool. */
  async close(): Promise<void> {
    await this.pending;
    await this.opts.client.close();
  }
}
