import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { SerialQueue } from './serial.js';
import type { ConversationState, UserKey } from './types.js';

/** The shape of one user's state, checked when the journal is read back. */
export const ConversationSchema = z.object({
  updatedAt: z.string(),
  lastEntryId: z.string().optional(),
  flow: z.object({ name: z.string(), data: z.record(z.string(), z.unknown()) }).optional(),
  prompt: z
    .object({ kind: z.string(), caseId: z.string().optional(), entryId: z.string().optional() })
    .optional(),
});

const LineSchema = z.object({ k: z.string(), s: ConversationSchema.nullable() });

/** Below this many lines the journal is never compacted: rewriting a tiny file gains nothing. */
const MIN_COMPACT_LINES = 1000;

/**
 * Per-user conversation state: held in memory, made durable in an append-only journal
 * (`conversations.jsonl`, one `{"k": user, "s": state}` line per change, `"s": null` to
 * forget). A step appends one short line, so its cost does not grow with the number of
 * users, as rewriting one state file for every step did (70 to 150 ms at 20,000 users).
 * The journal is rewritten from memory (temporary file and rename) once it holds twice as
 * many lines as there are users, and when idle state is pruned: amortised, a write stays O(1).
 */
export class ConversationLog {
  private readonly states = new Map<UserKey, ConversationState>();
  private readonly queue = new SerialQueue();
  /** Lines in the file, counting appends still queued. */
  private lines = 0;
  /** Appends queued but not yet written. */
  private queued = 0;
  private compactAt = MIN_COMPACT_LINES;
  private compacting: Promise<void> | undefined;

  private constructor(private readonly file: string) {}

  /**
   * Reads the journal back; a torn last line (a crash mid-append) is skipped and the file
   * rewritten clean. `legacy` is state from an older `state.json`: it is written to the
   * journal before this resolves, so the caller may then drop it from there.
   */
  static async open(
    file: string,
    legacy: Record<UserKey, ConversationState> = {},
  ): Promise<ConversationLog> {
    const log = new ConversationLog(file);
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    let bad = text !== '' && !text.endsWith('\n');
    for (const line of text.split('\n')) {
      if (!line) continue;
      log.lines++;
      let parsed: z.infer<typeof LineSchema> | undefined;
      try {
        parsed = LineSchema.parse(JSON.parse(line));
      } catch {
        bad = true;
        continue;
      }
      log.states.delete(parsed.k);
      if (parsed.s) log.states.set(parsed.k, parsed.s as ConversationState);
    }
    let imported = 0;
    for (const [k, s] of Object.entries(legacy)) {
      if (log.states.has(k)) continue;
      log.states.set(k, s);
      imported++;
    }
    if (bad || imported || log.lines > log.threshold()) await log.compact();
    return log;
  }

  /** How many users have state. */
  get size(): number {
    return this.states.size;
  }

  private threshold(): number {
    return Math.max(this.compactAt, 2 * this.states.size + MIN_COMPACT_LINES);
  }

  /** Users with a flow in progress whose state changed at or after `since` (ISO). */
  countFlows(since: string): number {
    let n = 0;
    for (const s of this.states.values()) if (s.flow && s.updatedAt >= since) n++;
    return n;
  }

  /** A copy of the user's state. */
  get(user: UserKey): ConversationState | undefined {
    const s = this.states.get(user);
    return s ? structuredClone(s) : undefined;
  }

  /** Saves (or, with `undefined`, forgets) a user's state; resolves once the line is written. */
  async set(user: UserKey, state: ConversationState | undefined): Promise<void> {
    // Deleted and re-added, so the map stays in order of last change.
    const existed = this.states.delete(user);
    if (state) this.states.set(user, structuredClone(state));
    else if (!existed) return;
    const line = `${JSON.stringify({ k: user, s: state ?? null })}\n`;
    this.lines++;
    this.queued++;
    const write = this.queue.run(() => {
      this.queued--;
      return appendFile(this.file, line, 'utf8');
    });
    if (this.lines > this.threshold()) void this.compactSoon();
    await write;
  }

  /**
   * Forgets every user whose state was last changed before `before` (ISO), except a run that was
   * finishing; resolves with how many.
   */
  async prune(before: string): Promise<number> {
    let dropped = 0;
    for (const [user, s] of this.states) {
      // A checklist interrupted while finishing may already have written its record: its owner
      // must be able to complete it, however long they take to come back.
      if (s.updatedAt < before && !s.flow?.data.finishing) {
        this.states.delete(user);
        dropped++;
      }
    }
    if (dropped) await this.compact();
    return dropped;
  }

  /** Starts a compaction unless one is under way; a failure leaves the journal correct, only longer. */
  private compactSoon(): Promise<void> {
    this.compacting ??= this.compact()
      .catch(() => {
        // Try again once the journal has grown as much again.
        this.compactAt = 2 * this.lines;
      })
      .finally(() => {
        this.compacting = undefined;
      });
    return this.compacting;
  }

  /** Rewrites the journal with one line per user, from memory, atomically. */
  private compact(): Promise<void> {
    return this.queue.run(async () => {
      const out: string[] = [];
      for (const [k, s] of this.states) out.push(`${JSON.stringify({ k, s })}\n`);
      await writeFile(`${this.file}.tmp`, out.join(''), 'utf8');
      await rename(`${this.file}.tmp`, this.file);
      // Appends queued behind this job land in the new file.
      this.lines = out.length + this.queued;
    });
  }

  /** Resolves when every write queued so far is on disk. */
  async flush(): Promise<void> {
    await this.compacting;
    await this.queue.drain();
  }
}
