import { appendFile, mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { z } from 'zod';
import { AdvisorError, ErrorCode } from '../errors.js';
import { readJsonLines } from '../storage/file.js';
import { SerialQueue } from '../storage/serial.js';
import { ArchiveIndex } from './archive-index.js';
import { type Case, hasPending, isFinal } from './case.js';

/** Where cases live. Open cases are hot and small; finished ones are archived by month. */
export interface CaseStore {
  /** Saves a case durably (new or changed). A finished case with nothing left to send is archived. */
  save(c: Case): Promise<void>;
  /** An open case (or one with messages still to send). */
  getActive(id: string): Promise<Case | undefined>;
  /** Any case, open or archived. */
  get(id: string): Promise<Case | undefined>;
  /** Open cases, and finished ones with messages still to send. */
  listActive(): Promise<Case[]>;
  /** Every case, oldest first. */
  listAll(): Promise<Case[]>;
  /** Deletes archived cases that closed before `before` (ISO); resolves with how many. */
  purge(before: string): Promise<number>;
  /**
   * For stores several processes share: claims due pending messages (of one case, or all) for
   * `owner` until `leaseMs` from now, skipping those another process holds a live claim on.
   * Recording an attempt (a save that changes the message) ends the claim. Stores without it
   * serve one process, which keeps its claims in memory.
   */
  claimDue?(
    owner: string,
    now: string,
    leaseMs: number,
    caseId?: string,
  ): Promise<{ caseId: string; id: string }[]>;
  /** Gives up the claims `owner` still holds, so another process may send those messages now. */
  releaseClaims?(owner: string): Promise<void>;
}

const clone = <T>(v: T): T => structuredClone(v);

/** Keeps cases in memory, for tests. */
export class MemoryCaseStore implements CaseStore {
  private readonly cases = new Map<string, Case>();
  async save(c: Case) {
    this.cases.set(c.id, clone(c));
  }
  async getActive(id: string) {
    const c = this.cases.get(id);
    return c && (!isFinal(c.status) || hasPending(c)) ? clone(c) : undefined;
  }
  async get(id: string) {
    const c = this.cases.get(id);
    return c ? clone(c) : undefined;
  }
  async listActive() {
    return [...this.cases.values()].filter((c) => !isFinal(c.status) || hasPending(c)).map(clone);
  }
  async listAll() {
    return [...this.cases.values()]
      .map(clone)
      .sort((a, b) => a.raisedAt.localeCompare(b.raisedAt) || a.id.localeCompare(b.id));
  }
  async purge(before: string) {
    let n = 0;
    for (const [id, c] of this.cases) {
      if (isFinal(c.status) && !hasPending(c) && c.closedAt && c.closedAt < before) {
        this.cases.delete(id);
        n++;
      }
    }
    return n;
  }
}

interface ActiveFile {
  schemaVersion: 1;
  cases: Case[];
}

/** How a FileCaseStore is opened. */
export interface FileCaseStoreOptions {
  /**
   * Opened to read while another process (the bot) may write, as the CLI does: the archive
   * index is then rebuilt in memory only, never written.
   */
  readOnly?: boolean;
  /** False looks archived cases up by reading every month, as before the index (for benchmarks). */
  archiveIndex?: boolean;
}

/**
 * Cases on disk. `cases/active.json` (lowdb, rewritten atomically) holds only open cases
 * and those with messages still to send, so its size, and the cost of every write, stays
 * bounded by open work rather than by history. Finished cases move to append-only monthly
 * archives, `cases/archive/YYYY-MM.jsonl`: appended first, then removed from the active
 * file, so a crash between the two leaves a duplicate (resolved on read), never a loss.
 */
export class FileCaseStore implements CaseStore {
  private readonly queue = new SerialQueue();
  private readonly index: ArchiveIndex | undefined;
  /** Monthly archive files read so far; tests and benchmarks use it to see a lookup's cost. */
  readonly stats = { archiveReads: 0 };

  private constructor(
    private readonly dir: string,
    private readonly db: Low<ActiveFile>,
    private readonly opts: FileCaseStoreOptions,
  ) {
    this.index =
      opts.archiveIndex === false
        ? undefined
        : new ArchiveIndex(
            join(dir, 'archive-index.jsonl'),
            { scan: () => this.scanArchive(), months: () => this.archivedMonths() },
            !opts.readOnly,
          );
  }

  /**
   * Opens the case folder under a data directory. It takes no lock: the bot opens it after
   * locking the data directory, and the CLI opens it to read while the bot runs.
   */
  static async open(dataDir: string, opts: FileCaseStoreOptions = {}): Promise<FileCaseStore> {
    const dir = join(dataDir, 'cases');
    await mkdir(join(dir, 'archive'), { recursive: true });
    const file = join(dir, 'active.json');
    const adapter = new JSONFile<ActiveFile>(file);
    let data: ActiveFile | null;
    try {
      data = await adapter.read();
    } catch (err) {
      throw new AdvisorError(
        ErrorCode.StorageCorrupt,
        `${file} is not valid JSON (${(err as Error).message}). Restore it from a backup or move it aside.`,
        { cause: err },
      );
    }
    if (data && (data.schemaVersion !== 1 || !Array.isArray(data.cases))) {
      throw new AdvisorError(
        ErrorCode.StorageCorrupt,
        `${file} does not have the expected shape. Restore it from a backup or move it aside.`,
      );
    }
    const store = new FileCaseStore(
      dir,
      new Low<ActiveFile>(adapter, data ?? { schemaVersion: 1, cases: [] }),
      opts,
    );
    await store.index?.ensure();
    return store;
  }

  private month(c: Case): string {
    return (c.closedAt ?? c.raisedAt).slice(0, 7);
  }

  save(c: Case): Promise<void> {
    if (this.opts.readOnly) return Promise.reject(new Error('this case store was opened to read'));
    const copy = clone(c);
    return this.queue.run(async () => {
      const cases = this.db.data.cases;
      const i = cases.findIndex((x) => x.id === copy.id);
      if (isFinal(copy.status) && !hasPending(copy)) {
        const month = this.month(copy);
        // Indexed first, so the index never lacks a case the archive holds.
        await this.index?.add(copy.id, month);
        const file = join(this.dir, 'archive', `${month}.jsonl`);
        await appendFile(file, `${JSON.stringify(copy)}\n`, 'utf8');
        if (i >= 0) cases.splice(i, 1);
      } else if (i >= 0) cases[i] = copy;
      else cases.push(copy);
      await this.db.write();
    });
  }

  async getActive(id: string): Promise<Case | undefined> {
    await this.queue.drain();
    const c = this.db.data.cases.find((x) => x.id === id);
    return c ? clone(c) : undefined;
  }

  async listActive(): Promise<Case[]> {
    await this.queue.drain();
    return this.db.data.cases.map(clone);
  }

  private async archiveFiles(): Promise<string[]> {
    return (await readdir(join(this.dir, 'archive'))).filter((f) => f.endsWith('.jsonl')).sort();
  }

  private readArchive(file: string): Promise<Case[]> {
    this.stats.archiveReads++;
    // Cases were validated when they were made; the archive only needs to be JSON.
    return readJsonLines(
      join(this.dir, 'archive', file),
      z.custom<Case>((v) => typeof v === 'object' && v !== null && 'id' in v),
    );
  }

  async listAll(): Promise<Case[]> {
    await this.queue.drain();
    const byId = new Map<string, Case>();
    for (const f of await this.archiveFiles())
      for (const c of await this.readArchive(f)) byId.set(c.id, c);
    // The active file wins: a case archived just before a crash may still be active.
    for (const c of this.db.data.cases) byId.set(c.id, clone(c));
    return [...byId.values()].sort(
      (a, b) => a.raisedAt.localeCompare(b.raisedAt) || a.id.localeCompare(b.id),
    );
  }

  async get(id: string): Promise<Case | undefined> {
    const active = await this.getActive(id);
    if (active) return active;
    let files: string[];
    if (this.index) {
      const month = await this.index.month(id);
      files = month ? [`${month}.jsonl`] : [];
    } else files = await this.archiveFiles();
    let found: Case | undefined;
    for (const f of files) for (const c of await this.readArchive(f)) if (c.id === id) found = c;
    return found;
  }

  /** Every archived case's month, from the archive files themselves. */
  private async scanArchive(): Promise<Map<string, string>> {
    const months = new Map<string, string>();
    for (const f of await this.archiveFiles())
      for (const c of await this.readArchive(f)) months.set(c.id, f.slice(0, -'.jsonl'.length));
    return months;
  }

  /** Months whose archive file holds anything (a purge can leave one empty). */
  private async archivedMonths(): Promise<string[]> {
    const months: string[] = [];
    for (const f of await this.archiveFiles())
      if ((await stat(join(this.dir, 'archive', f))).size > 0)
        months.push(f.slice(0, -'.jsonl'.length));
    return months;
  }

  purge(before: string): Promise<number> {
    return this.queue.run(async () => {
      let removed = 0;
      const kept = new Map<string, string>();
      for (const f of await this.archiveFiles()) {
        const cases = await this.readArchive(f);
        const keep = cases.filter((c) => !(c.closedAt && c.closedAt < before));
        for (const c of keep) kept.set(c.id, f.slice(0, -'.jsonl'.length));
        if (keep.length === cases.length) continue;
        removed += cases.length - keep.length;
        const path = join(this.dir, 'archive', f);
        // Write a new file and rename it over the old one, so a crash leaves one or the other.
        await writeFile(`${path}.tmp`, keep.map((c) => `${JSON.stringify(c)}\n`).join(''), 'utf8');
        await rename(`${path}.tmp`, path);
      }
      if (removed) await this.index?.replace(kept);
      return removed;
    });
  }
}
