import { appendFile, mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { z } from 'zod';
import { AdvisorError, ErrorCode } from '../errors.js';
import { dataDirError } from './access.js';
import { ConversationLog, ConversationSchema } from './conversations.js';
import { highestIssued } from './issued.js';
import { type DirLock, lockDir } from './lock.js';
import { OneProcessStore } from './one-process.js';
import { SerialQueue } from './serial.js';
import {
  type AuditEvent,
  type ConversationState,
  type EscalationRequest,
  type Feedback,
  type ScheduledJob,
  type Store,
  type TripRecord,
  type UnansweredQuestion,
  type UserKey,
  userKey,
} from './types.js';

/** The schema version this code writes. Bump it and add a step to `migrate` when the shape changes. */
export const SCHEMA_VERSION = 2;

const UserRefSchema = z.object({
  platform: z.enum(['web', 'slack', 'teams', 'cli']),
  id: z.string(),
  name: z.string().optional(),
  workspace: z.string().optional(),
});

const JobSchema = z.object({
  id: z.string(),
  dueAt: z.string(),
  kind: z.literal('debrief'),
  user: UserRefSchema,
  tripId: z.string(),
});

const StateSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** Only in files from before conversations.jsonl: moved there on open, then left empty. */
  conversations: z.record(z.string(), ConversationSchema),
  /** Last number handed out per sequence name. */
  counters: z.record(z.string(), z.number().int()),
  jobs: z.array(JobSchema),
});
type StateFile = z.infer<typeof StateSchema>;

const FeedbackSchema = z.object({
  at: z.string(),
  user: z.string(),
  entryId: z.string(),
  helpful: z.boolean(),
});
const FlagSchema = z.object({
  id: z.string(),
  severity: z.enum(['high', 'warning', 'info']),
  title: z.string(),
  advice: z.string(),
  guidance: z.string().optional(),
});
const SummarySchema = z.object({ stepId: z.string(), label: z.string(), answer: z.string() });
const TripSchema = z.object({
  id: z.string(),
  checklist: z.string(),
  user: UserRefSchema,
  createdAt: z.string(),
  answers: z.record(z.string(), z.unknown()),
  summary: z.array(SummarySchema),
  flags: z.array(FlagSchema),
  escalationId: z.string().optional(),
  endDate: z.string().optional(),
  tripId: z.string().optional(),
});
const EscalationSchema = z.object({
  id: z.string(),
  at: z.string(),
  source: z.enum(['pretrip', 'debrief', 'question', 'report']),
  reporter: UserRefSchema,
  summary: z.string(),
  flags: z.array(FlagSchema),
  answers: z.array(SummarySchema),
  tripId: z.string().optional(),
  details: z.string().optional(),
});

const UnansweredSchema = z.object({
  at: z.string(),
  outcome: z.enum(['no-guidance', 'declined']),
  text: z.string(),
  declinedKind: z.string().optional(),
  closestEntryId: z.string().optional(),
  closestScore: z.number().optional(),
});

/** One line of once.jsonl: a key recorded, or (with `removed`) forgotten again. */
const MarkSchema = z.object({
  key: z.string(),
  at: z.string().optional(),
  removed: z.boolean().optional(),
});

const AuditSchema = z.object({
  at: z.string(),
  type: z.string(),
  actor: z.string().optional(),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

/** Upgrades older state files step by step. Version 0 is the unversioned shape. */
export function migrate(raw: unknown, file: string): StateFile {
  if (raw === null || raw === undefined) {
    return { schemaVersion: SCHEMA_VERSION, conversations: {}, counters: {}, jobs: [] };
  }
  let data = raw as Record<string, unknown>;
  const version = typeof data.schemaVersion === 'number' ? data.schemaVersion : 0;
  if (version > SCHEMA_VERSION) {
    throw new AdvisorError(
      ErrorCode.StorageCorrupt,
      `${file} was written by a newer version (schema ${version}; this version reads up to ${SCHEMA_VERSION}). Upgrade Sister City Advisor.`,
    );
  }
  if (version === 0) data = { schemaVersion: 1, conversations: data.conversations ?? {} };
  // Version 2 added sequence counters and scheduled jobs.
  if ((data.schemaVersion as number) === 1)
    data = { ...data, schemaVersion: 2, counters: {}, jobs: [] };
  const parsed = StateSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AdvisorError(
      ErrorCode.StorageCorrupt,
      `${file} does not match the expected shape at "${issue?.path.join('.')}": ${issue?.message}. Restore it from a backup or move it aside.`,
    );
  }
  return parsed.data;
}

const LOG_FILES = [
  'feedback.jsonl',
  'audit.jsonl',
  'trips.jsonl',
  'escalations.jsonl',
  'unanswered.jsonl',
  'once.jsonl',
];

/** Parses a JSON Lines file, skipping a torn last line; a missing file reads as empty. */
export async function readJsonLines<T>(path: string, schema: z.ZodType<T>): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = schema.safeParse(JSON.parse(line));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // A torn last line after a crash is skipped rather than failing the whole read.
    }
  }
  return out;
}

/** Reads the audit log without locking the data directory (for exports while the bot runs). */
export function readAuditLog(dataDir: string): Promise<AuditEvent[]> {
  return readJsonLines(join(dataDir, 'audit.jsonl'), AuditSchema) as Promise<AuditEvent[]>;
}

/** After a crash mid-append, starts the next record on a fresh line so it is not lost too. */
async function endWithNewline(path: string): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(path, 'r+');
    const { size } = await fh.stat();
    if (size === 0) return;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    if (last[0] !== 0x0a) await fh.write('\n', size);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  } finally {
    await fh?.close();
  }
}

/**
 * The file store. Data is split by how it grows: conversation state in a small lowdb
 * JSON file (rewritten whole, so finished state is dropped), feedback and the audit log in
 * append-only JSON Lines files. Every write goes through one serial queue.
 */
export class FileStore extends OneProcessStore implements Store {
  private readonly queue = new SerialQueue();
  private pendingStateWrite: Promise<void> | undefined;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly db: Low<StateFile>,
    private readonly lock: DirLock,
    /** Ids in trips.jsonl, so adding a trip again is a cheap no-op. */
    private readonly tripIds: Set<string>,
    private readonly conversations: ConversationLog,
    /** Keys recorded by `markOnce` (once.jsonl, replayed on open). */
    private readonly marks: Set<string>,
  ) {
    super();
  }

  /** Opens (creating if needed) and locks the data directory. */
  static async open(dir: string): Promise<FileStore> {
    let lock: DirLock;
    try {
      await mkdir(dir, { recursive: true });
      lock = await lockDir(dir);
    } catch (err) {
      throw dataDirError(err, dir);
    }
    try {
      const file = join(dir, 'state.json');
      // Build the file adapter directly: JSONFilePreset would switch to memory under NODE_ENV=test.
      const adapter = new JSONFile<StateFile>(file);
      let raw: unknown;
      try {
        raw = await adapter.read();
      } catch (err) {
        throw new AdvisorError(
          ErrorCode.StorageCorrupt,
          `${file} is not valid JSON (${(err as Error).message}). Restore it from a backup or move it aside.`,
          { cause: err },
        );
      }
      const state = migrate(raw, file);
      // Conversation state lives in its own journal; an older state.json's moves there.
      const conversations = await ConversationLog.open(
        join(dir, 'conversations.jsonl'),
        state.conversations,
      );
      const moved = Object.keys(state.conversations).length > 0;
      state.conversations = {};
      for (const log of LOG_FILES) await endWithNewline(join(dir, log));
      // The records outrank the counters: a lost or older state.json must not reissue an id.
      let raised = false;
      for (const [sequence, n] of await highestIssued(dir))
        if (n > (state.counters[sequence] ?? 0)) {
          state.counters[sequence] = n;
          raised = true;
        }
      const trips = await readJsonLines(join(dir, 'trips.jsonl'), TripSchema);
      const db = new Low<StateFile>(adapter, state);
      if (moved || raised) await db.write();
      const marks = new Set<string>();
      for (const m of await readJsonLines(join(dir, 'once.jsonl'), MarkSchema))
        if (m.removed) marks.delete(m.key);
        else marks.add(m.key);
      return new FileStore(dir, db, lock, new Set(trips.map((t) => t.id)), conversations, marks);
    } catch (err) {
      // The first error is the one to report; a lock left behind is taken over next time.
      await lock.release().catch(() => undefined);
      throw dataDirError(err, dir);
    }
  }

  /** Writes the state file once for all mutations made before the write starts. */
  private writeState(): Promise<void> {
    if (this.pendingStateWrite) return this.pendingStateWrite;
    const write = this.queue.run(async () => {
      this.pendingStateWrite = undefined;
      await this.db.write();
    });
    this.pendingStateWrite = write;
    return write;
  }

  /**
   * Appends a line. Lines for one file that arrive while the queue is busy go out in one write
   * (a busy bot writes its audit lines in a few system calls rather than one each); each caller's
   * promise settles when the write holding its line does, so nothing is reported written early.
   */
  private append(name: string, record: object): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const waiting = this.waitingLines.get(name);
    if (waiting) {
      waiting.lines.push(line);
      return waiting.written;
    }
    const batch: { lines: string[]; written: Promise<void> } = {
      lines: [line],
      written: Promise.resolve(),
    };
    this.waitingLines.set(name, batch);
    batch.written = this.queue.run(() => {
      // Lines from now on wait for the next write.
      this.waitingLines.delete(name);
      return appendFile(join(this.dir, name), batch.lines.join(''), 'utf8');
    });
    return batch.written;
  }

  /** Per file, the lines waiting for the queue to reach their write. */
  private readonly waitingLines = new Map<string, { lines: string[]; written: Promise<void> }>();

  private async readLines<T>(name: string, schema: z.ZodType<T>): Promise<T[]> {
    await this.queue.drain();
    return readJsonLines(join(this.dir, name), schema);
  }

  async getConversation(user: UserKey): Promise<ConversationState | undefined> {
    return this.conversations.get(user);
  }

  setConversation(user: UserKey, state: ConversationState | undefined): Promise<void> {
    return this.conversations.set(user, state);
  }

  pruneConversations(before: string): Promise<number> {
    return this.conversations.prune(before);
  }

  addFeedback(f: Feedback): Promise<void> {
    return this.append('feedback.jsonl', f);
  }

  listFeedback(): Promise<Feedback[]> {
    return this.readLines('feedback.jsonl', FeedbackSchema);
  }

  audit(e: AuditEvent): Promise<void> {
    return this.append('audit.jsonl', e);
  }

  readAudit(): Promise<AuditEvent[]> {
    return this.readLines('audit.jsonl', AuditSchema) as Promise<AuditEvent[]>;
  }

  async nextSequence(name: string): Promise<number> {
    const n = (this.db.data.counters[name] ?? 0) + 1;
    this.db.data.counters[name] = n;
    await this.writeState();
    return n;
  }

  addTrip(trip: TripRecord): Promise<void> {
    const line = `${JSON.stringify(trip)}\n`;
    return this.queue.run(async () => {
      if (this.tripIds.has(trip.id)) return;
      await appendFile(join(this.dir, 'trips.jsonl'), line, 'utf8');
      this.tripIds.add(trip.id);
    });
  }

  async hasTrip(id: string): Promise<boolean> {
    await this.queue.drain();
    return this.tripIds.has(id);
  }

  /** Trip records, the first of each id only: older versions could append an id twice. */
  private async trips(): Promise<TripRecord[]> {
    const all = (await this.readLines('trips.jsonl', TripSchema)) as TripRecord[];
    const seen = new Set<string>();
    return all.filter((t) => !seen.has(t.id) && seen.add(t.id));
  }

  async listTrips(user: UserKey): Promise<TripRecord[]> {
    return (await this.trips()).filter((t) => userKey(t.user) === user);
  }

  async getTrip(id: string): Promise<TripRecord | undefined> {
    return (await this.trips()).find((t) => t.id === id);
  }

  addEscalationRequest(request: EscalationRequest): Promise<void> {
    return this.append('escalations.jsonl', request);
  }

  listEscalationRequests(): Promise<EscalationRequest[]> {
    return this.readLines('escalations.jsonl', EscalationSchema) as Promise<EscalationRequest[]>;
  }

  async scheduleJob(job: ScheduledJob): Promise<void> {
    this.db.data.jobs = [...this.db.data.jobs.filter((j) => j.id !== job.id), structuredClone(job)];
    await this.writeState();
  }

  async listJobs(): Promise<ScheduledJob[]> {
    return structuredClone(this.db.data.jobs);
  }

  async removeJob(id: string): Promise<void> {
    this.db.data.jobs = this.db.data.jobs.filter((j) => j.id !== id);
    await this.writeState();
  }

  addUnanswered(question: UnansweredQuestion): Promise<void> {
    return this.append('unanswered.jsonl', question);
  }

  async listUnanswered(since?: string): Promise<UnansweredQuestion[]> {
    const all = (await this.readLines(
      'unanswered.jsonl',
      UnansweredSchema,
    )) as UnansweredQuestion[];
    return since === undefined ? all : all.filter((q) => q.at >= since);
  }

  /** Rewrites unanswered.jsonl without the old lines: a temporary file, then an atomic rename. */
  purgeUnanswered(before: string): Promise<number> {
    return this.queue.run(async () => {
      const file = join(this.dir, 'unanswered.jsonl');
      const all = await readJsonLines(file, UnansweredSchema);
      const kept = all.filter((q) => q.at >= before);
      if (kept.length === all.length) return 0;
      const tmp = `${file}.tmp`;
      await writeFile(tmp, kept.map((q) => `${JSON.stringify(q)}\n`).join(''), 'utf8');
      await rename(tmp, file);
      return all.length - kept.length;
    });
  }

  markOnce(key: string, at: string): Promise<boolean> {
    // Checked and written in the queue, so two callers at once cannot both see it unmarked.
    return this.queue.run(async () => {
      if (this.marks.has(key)) return false;
      await appendFile(join(this.dir, 'once.jsonl'), `${JSON.stringify({ key, at })}\n`, 'utf8');
      this.marks.add(key);
      return true;
    });
  }

  unmarkOnce(key: string): Promise<void> {
    return this.queue.run(async () => {
      if (!this.marks.has(key)) return;
      const line = `${JSON.stringify({ key, removed: true })}\n`;
      await appendFile(join(this.dir, 'once.jsonl'), line, 'utf8');
      this.marks.delete(key);
    });
  }

  async countFlows(since: string): Promise<number> {
    return this.conversations.countFlows(since);
  }

  /** Reads the lock file back: the folder is still there, readable, and still ours. */
  async ready(): Promise<void> {
    if (this.closed)
      throw new AdvisorError(
        ErrorCode.StorageUnavailable,
        `The data directory ${this.dir} is closed.`,
      );
    try {
      await this.lock.check();
    } catch (err) {
      throw new AdvisorError(
        ErrorCode.StorageUnavailable,
        `The data directory ${this.dir} cannot be read or is no longer this process's (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
        { cause: err },
      );
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.conversations.flush();
    await this.queue.drain();
    await this.lock.release();
  }
}
