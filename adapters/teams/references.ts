import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Activity, ConversationReference } from 'botbuilder';
import { TurnContext } from 'botbuilder';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { Logger } from 'pino';
import { baseConversationId, isPersonal } from './activity.js';

/** A stored conversation reference: enough to message a conversation later. */
export type StoredReference = Partial<ConversationReference> & { savedAt: string };

interface Data {
  /** Personal (one-to-one) conversations, by Teams user id. */
  users: Record<string, StoredReference>;
  /** Channel and group conversations, by conversation id without the thread suffix. */
  conversations: Record<string, StoredReference>;
}

/** The file name under DATA_DIR. */
export const REFERENCES_FILE = 'teams-references.json';

/** How long a write that nobody waits for may wait, to be merged with the ones after it. */
const LAZY_WRITE_MS = 250;

/** One reference per line: as small as compact JSON, and still easy to read and grep. */
export function stringifyReferences(data: Data): string {
  const table = (t: Record<string, StoredReference>) => {
    const lines = Object.entries(t).map(
      ([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`,
    );
    return lines.length ? `{\n${lines.join(',\n')}\n  }` : '{}';
  };
  return `{\n  "users": ${table(data.users)},\n  "conversations": ${table(data.conversations)}\n}\n`;
}

/**
 * Conversation references, kept so the bot can message people later (escalations, case
 * updates). A small lowdb file of its own: it grows with people who use Teams, not with
 * messages, and it is written only when a reference actually changes. Each write rewrites the
 * whole file, so writes are merged: a change nobody waits for (a message) is written within
 * LAZY_WRITE_MS together with any others, and a change that is awaited (an install) joins the
 * next write at once. Many new people at the same time cost a few writes, not one each.
 */
export class ReferenceStore {
  private pending: Promise<void> = Promise.resolve();
  /** The write not yet started, which later changes join. */
  private queued: { promise: Promise<void>; start: () => void } | undefined;

  private constructor(
    private readonly db: Low<Data>,
    private readonly logger: Logger,
  ) {}

  /** Opens (or creates) DATA_DIR/teams-references.json; a corrupt file is set aside, not fatal. */
  static async open(dataDir: string, logger: Logger): Promise<ReferenceStore> {
    await mkdir(dataDir, { recursive: true });
    const file = join(dataDir, REFERENCES_FILE);
    // An explicit file adapter: JSONFilePreset would quietly switch to memory under vitest.
    const adapter = new DataFile<Data>(file, { parse: JSON.parse, stringify: stringifyReferences });
    const db = new Low<Data>(adapter, { users: {}, conversations: {} });
    try {
      await db.read();
    } catch (err) {
      // References are re-learned from the next message, so losing them beats refusing to start.
      const aside = `${file}.corrupt-${Date.now()}`;
      await rename(file, aside).catch(() => undefined);
      logger.error(
        { err, movedTo: aside },
        'Teams conversation references unreadable; starting empty',
      );
      db.data = { users: {}, conversations: {} };
    }
    db.data.users ??= {};
    db.data.conversations ??= {};
    return new ReferenceStore(db, logger);
  }

  /**
   * Learns the references an activity carries. Memory is updated at once; the returned promise
   * resolves when the file is written. `lazy` (for the hot path, where nobody waits) lets the
   * write wait a moment to be merged with others.
   */
  remember(activity: Partial<Activity>, opts: { lazy?: boolean } = {}): Promise<void> {
    const ref = TurnContext.getConversationReference(activity);
    // The activity id changes with every message; dropping it keeps unchanged references unchanged.
    const { activityId: _drop, ...rest } = ref;
    const convId = rest.conversation?.id;
    if (!convId) return Promise.resolve();
    const data = this.db.data;
    let changed = false;
    const put = (
      table: Record<string, StoredReference>,
      key: string,
      value: Partial<ConversationReference>,
    ) => {
      const before = table[key];
      if (before && same(before, value)) return;
      table[key] = { ...value, savedAt: new Date().toISOString() };
      changed = true;
    };
    if (isPersonal(activity)) {
      const userId = activity.from?.id;
      if (userId) put(data.users, userId, rest);
    } else {
      const base = baseConversationId(convId);
      put(data.conversations, base, {
        ...rest,
        conversation: { ...rest.conversation, id: base } as ConversationReference['conversation'],
      });
    }
    return changed ? this.save(opts.lazy) : Promise.resolve();
  }

  /** Forgets a user's personal conversation (the bot was uninstalled). */
  forgetUser(userId: string): Promise<void> {
    if (!this.db.data.users[userId]) return Promise.resolve();
    delete this.db.data.users[userId];
    return this.save();
  }

  /** Forgets a channel or group conversation (the bot was removed from the team). */
  forgetConversation(conversationId: string): Promise<void> {
    const base = baseConversationId(conversationId);
    if (!this.db.data.conversations[base]) return Promise.resolve();
    delete this.db.data.conversations[base];
    return this.save();
  }

  /** The personal conversation with a Teams user. */
  forUser(userId: string): StoredReference | undefined {
    return this.db.data.users[userId];
  }

  /** A channel or group conversation. */
  forConversation(conversationId: string): StoredReference | undefined {
    return this.db.data.conversations[baseConversationId(conversationId)];
  }

  /** The most recently saved reference of any kind, for its service URL, tenant and bot. */
  newest(): StoredReference | undefined {
    const all = [
      ...Object.values(this.db.data.users),
      ...Object.values(this.db.data.conversations),
    ];
    return all.sort((a, b) => b.savedAt.localeCompare(a.savedAt))[0];
  }

  /** Writes any waiting change now, and waits for every write in progress. */
  flush(): Promise<void> {
    this.queued?.start();
    return this.pending;
  }

  private save(lazy = false): Promise<void> {
    // Writes are chained so they land in order. A change joins the write that has not started
    // yet, if any: that write serialises the data as it is then, this change included.
    let q = this.queued;
    if (!q) {
      let start: () => void = () => undefined;
      const started = new Promise<void>((resolve) => {
        start = resolve;
      });
      const promise = Promise.all([this.pending, started]).then(() => {
        if (this.queued === q) this.queued = undefined;
        return this.db.write();
      });
      q = { promise, start };
      this.queued = q;
      this.pending = promise.catch((err: unknown) => {
        this.logger.error({ err }, 'could not save Teams conversation references');
      });
      if (lazy) setTimeout(start, LAZY_WRITE_MS).unref();
      else start();
    } else if (!lazy) q.start();
    return q.promise;
  }
}

function same(a: StoredReference, b: Partial<ConversationReference>): boolean {
  const { savedAt: _ignored, ...rest } = a;
  return JSON.stringify(rest) === JSON.stringify(b);
}
