/**
 * Two real bot processes (src/main.ts) on one PostgreSQL database, each on its own port, with
 * escalation on (web contacts) and a shared fake clock (CLOCK_FILE). 50 pre-trip checklists
 * with risky answers and 50 reported concerns alternate their messages between the replicas;
 * one replica is killed with SIGKILL mid-burst and started again, and clients retry a failed
 * request on the other replica, as a load balancer would. Then the clock moves so reminders,
 * the acknowledgement deadline and the debrief invitations fall due while both replicas tick.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { pgSkipReason, pgSuiteTitle, usePostgres } from '../helpers/pg-cluster.js';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';

const USERS = 50;
/** Monday 8 March 2027, 10:00 in New Zealand. */
const T0 = '2027-03-07T21:00:00.000Z';
const PRIMARY = 'contact-primary';
const BACKUP = 'contact-backup';

interface ApiReply {
  kind: string;
  text: string;
}

/** One bot process. */
class Replica {
  child!: ChildProcess;
  url!: URL;
  output = '';
  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
  ) {}

  async start(): Promise<void> {
    this.output = '';
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = this.child;
    this.url = await new Promise<URL>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        const open = /Open (http:\/\/\S+) in your browser/.exec(this.output);
        if (open?.[1]) resolve(new URL(open[1]));
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) =>
        reject(new Error(`${this.name} exited with ${code} before it was ready:\n${this.output}`)),
      );
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    await exited;
  }
}

/** A contact's event streams, one per replica, reconnected with Last-Event-ID after a failure. */
class ContactWatcher {
  /** Every message the contact's pages were sent, by the id the page sees. */
  readonly seen = new Map<number, string>();
  private stopped = false;
  private readonly lastId = new Map<string, number>();

  constructor(
    readonly userId: string,
    private readonly replicas: Replica[],
  ) {}

  start(): void {
    for (const r of this.replicas) void this.follow(r);
  }

  stop(): void {
    this.stopped = true;
  }

  private async follow(r: Replica): Promise<void> {
    while (!this.stopped) {
      try {
        const last = this.lastId.get(r.name);
        const res = await fetch(new URL(`/api/events?userId=${this.userId}`, r.url), {
          headers: last ? { 'last-event-id': String(last) } : {},
        });
        const reader = res.body!.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        while (!this.stopped) {
          const { done, value } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const chunk = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const id = /^id: (\d+)$/m.exec(chunk)?.[1];
            const event = /^event: (\w+)$/m.exec(chunk)?.[1];
            const data = /^data: (.*)$/m.exec(chunk)?.[1];
            if (id && data) {
              this.lastId.set(r.name, Math.max(this.lastId.get(r.name) ?? 0, Number(id)));
              if (event === 'message')
                this.seen.set(Number(id), (JSON.parse(data) as ApiReply).text);
            }
            end = buffer.indexOf('\n\n');
          }
        }
        await reader.cancel().catch(() => undefined);
      } catch {
        // The replica is down: try again shortly (its restart has a new URL).
      }
      await sleep(200);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The answer a user gives to each question, found by the question's words. */
function pretripAnswers(user: string): [RegExp, string][] {
  return [
    [/overseas trip on council business/, 'Overseas trip'],
    [/purpose of the visit/, `Sister-city anniversary with Suqian, for ${user}`],
    [/date does the visit start/, '9/3/2027'],
    [/What date does it end/, '9/3/2027'],
    [/Where are you going/, 'Suqian'],
    [/Who is paying/, 'The foreign host'],
    [/give or receive gifts/, 'No gifts expected'],
    [/Which devices/, 'My usual council laptop'],
    [/registered the trip on SafeTravel/, 'yes'],
    [/advisory level for the destination/, '4'],
    [/in touch with MFAT/, 'yes'],
    [/security briefing/, 'yes'],
    [/meet government officials/, 'no'],
    [/asked for information about ports/, 'yes'],
    [/sign an agreement/, 'no'],
    [/media interviews/, 'no'],
    [/emergency contact/, `Jane Smith 021 555 ${user.slice(-4).padStart(4, '0')}`],
    [/When will you debrief/, 'skip'],
  ];
}

function reportAnswers(user: string): [RegExp, string][] {
  return [
    [/What happened\?/, `A delegation member asked ${user} for the port expansion plans.`],
    [/When did it happen/, `At the dinner last Tuesday (${user})`],
    [/Who was involved/, `A member of the visiting delegation (${user})`],
    [/Did anyone ask for information/, 'yes'],
  ];
}

const counts = { requests: 0, failedOver: 0 };
const transcripts = new Map<string, string[]>();

/**
 * One user: every message goes to the next replica in turn; a request that fails (the replica
 * died) is sent again to the other one. A message whose answer was lost may or may not have been
 * taken, so after a failure the user asks to "continue" and answers the step shown.
 */
async function runUser(
  user: string,
  command: 'pretrip' | 'report',
  replicas: Replica[],
  turn: { n: number },
): Promise<string | undefined> {
  const answers = command === 'pretrip' ? pretripAnswers(user) : reportAnswers(user);
  const transcript: string[] = [];
  transcripts.set(user, transcript);
  const post = async (text: string): Promise<ApiReply[] | undefined> => {
    const r = replicas[turn.n++ % replicas.length]!;
    counts.requests++;
    transcript.push(`${r.name} <- ${text}`);
    try {
      const res = await fetch(new URL('/api/chat', r.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: user, text }),
      });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      const got = ((await res.json()) as { replies: ApiReply[] }).replies;
      transcript.push(`${r.name} -> ${got.map((x) => x.text.slice(0, 80)).join(' | ')}`);
      return got;
    } catch {
      counts.failedOver++;
      return undefined;
    }
  };
  /**
   * Sends a message. When its answer is lost, whether it was taken is unknown, so it is not sent
   * again (taken twice, an answer would fill the next step too): like a person reading the chat,
   * the user asks to "continue" (harmless to repeat) until some replica answers, and goes on from
   * what it shows.
   */
  const send = async (text: string): Promise<{ replies: ApiReply[]; retried: boolean }> => {
    const replies = await post(text);
    if (replies) return { replies, retried: false };
    for (let attempt = 0; attempt < 200; attempt++) {
      await sleep(50);
      const shown = await post('continue');
      if (shown) return { replies: shown, retried: true };
    }
    throw new Error(`${user}: no replica answered after "${text}" was lost`);
  };
  let { replies, retried } = await send(command);
  // The run's own confirmation, or, after a lost confirmation, what "continue" says of it.
  const finished = (rs: ApiReply[]) =>
    /complete\. Your reference is|Nothing is in progress\. Your last one.*your reference is/.test(
      rs.map((x) => x.text).join('\n'),
    );
  const isStep = (rs: ApiReply[]) => /Step \d+ of/.test(rs.map((x) => x.text).join('\n'));
  for (let step = 0; step < 60; step++) {
    if (retried && !isStep(replies) && !finished(replies)) {
      // Nothing in progress and no run finished: the lost message was the command itself, and
      // it was not taken. Start again.
      ({ replies, retried } = await send(command));
      continue;
    }
    const text = replies.map((x) => x.text).join('\n');
    if (finished(replies)) {
      const id = /\b(SC-\d{4}-\d{4})\b/.exec(text)?.[1];
      if (!id) throw new Error(`${user}: finished without a case:\n${text}`);
      return id;
    }
    const answer = answers.find(([q]) => q.test(text));
    if (!answer) throw new Error(`${user}: no answer for:\n${text}\n${transcript.join('\n')}`);
    ({ replies, retried } = await send(answer[1]));
  }
  throw new Error(`${user}: the run did not finish`);
}

/** Runs `jobs` with at most `limit` at once. */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

describe.skipIf(pgSkipReason)(pgSuiteTitle('two replicas on one PostgreSQL database'), () => {
  const db = usePostgres();
  let dir: string | undefined;
  const replicas: Replica[] = [];
  afterAll(async () => {
    for (const r of replicas) if (r.child) await r.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loses nothing and sends nothing twice when one is killed mid-burst', async () => {
    const { url, drop } = await db.fresh();
    dir = await mkdtemp(join(tmpdir(), 'sca-replicas-'));
    const clockFile = join(dir, 'now.txt');
    await writeFile(clockFile, T0);
    const contacts = join(dir, 'contacts.yaml');
    await writeFile(
      contacts,
      `primary: { name: Pita Contact, web: ${PRIMARY} }\nbackup: { name: Rangi Backup, web: ${BACKUP} }\nackWorkingHours: 1\nreminderMinutes: 30\n`,
    );
    const env = (name: string): Record<string, string> => ({
      DATABASE_URL: url,
      KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
      DATA_DIR: join(dir!, name),
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      SCHEDULER_INTERVAL_MS: '1000',
      CLAIM_LEASE_MS: '5000',
      CLOCK_FILE: clockFile,
      ESCALATION_ENABLED: 'true',
      CONTACTS_FILE: contacts,
      MAX_MESSAGES_PER_MINUTE: '1000',
      MAX_CHECKLISTS_PER_HOUR: '1000',
      MAX_CASES_PER_HOUR: '1000',
      SLACK_BOT_TOKEN: '',
      TEAMS_ENABLED: 'false',
      LLM_BASE_URL: '',
      EMBEDDINGS_BASE_URL: '',
    });
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, 'b'));
    const a = new Replica('a', env('a'));
    const b = new Replica('b', env('b'));
    replicas.push(a, b);
    // Started together: the migrations run once, under the advisory lock.
    await Promise.all([a.start(), b.start()]);
    const q = new pg.Pool({ connectionString: url, max: 2 });
    const watchers = [new ContactWatcher(PRIMARY, replicas), new ContactWatcher(BACKUP, replicas)];
    for (const w of watchers) w.start();
    try {
      // The burst: 50 checklists and 50 reports, their messages alternating between replicas.
      const jobs = Array.from({ length: USERS * 2 }, (_, i) => {
        const user =
          i % 2 === 0 ? `p-${String(i).padStart(4, '0')}` : `r-${String(i).padStart(4, '0')}`;
        const turn = { n: i };
        return () => runUser(user, i % 2 === 0 ? 'pretrip' : 'report', replicas, turn);
      });
      let killedAt = 0;
      const chaos = (async () => {
        // Mid-burst: kill b without warning, then start it again.
        while (counts.requests < 500) await sleep(20);
        killedAt = counts.requests;
        await b.kill('SIGKILL');
        await sleep(500);
        await b.start();
      })();
      const caseIds = await pool(jobs, 16);
      await chaos;
      expect(killedAt).toBeGreaterThan(0);

      // Exactly one trip and one case per run; no answer lost.
      const trips = (await q.query('SELECT user_key, record FROM trips')).rows as {
        user_key: string;
        record: { id: string; escalationId?: string; answers: Record<string, unknown> };
      }[];
      const perUser = new Map<string, string[]>();
      for (const t of trips)
        perUser.set(t.user_key, [...(perUser.get(t.user_key) ?? []), t.record.id]);
      const twice = [...perUser].filter(([, ids]) => ids.length > 1);
      if (twice.length)
        console.log(
          'users with more than one trip',
          JSON.stringify(twice.slice(0, 5)),
          transcripts.get(twice[0]![0].split(':')[2]!)?.slice(-60).join('\n'),
        );
      expect(trips).toHaveLength(USERS * 2);
      expect(new Set(trips.map((t) => t.user_key)).size).toBe(USERS * 2);
      const cases = (await q.query('SELECT id, body FROM cases')).rows as {
        id: string;
        body: { recordId: string; reporter: { id: string }; details?: string };
      }[];
      expect(cases).toHaveLength(USERS * 2);
      expect(new Set(cases.map((c) => c.body.recordId)).size).toBe(USERS * 2);
      const shownIds = caseIds.filter((id): id is string => id !== undefined);
      expect(new Set(shownIds).size).toBe(shownIds.length);
      for (const id of shownIds) expect(cases.map((c) => c.id)).toContain(id);
      let answersChecked = 0;
      for (const t of trips) {
        const user = t.user_key.split(':')[2]!;
        expect(t.record.escalationId).toBeDefined();
        const expected = user.startsWith('p-') ? pretripAnswers(user) : reportAnswers(user);
        const given = Object.values(t.record.answers).map(String);
        for (const [, answer] of expected) {
          if (['skip', 'yes', 'no', '4', 'Overseas trip', 'Suqian'].includes(answer)) continue;
          if (
            /^(The foreign host|No gifts expected|My usual council laptop|9\/3\/2027)$/.test(answer)
          )
            continue;
          expect(given, `${user}: ${answer}`).toContain(answer);
          answersChecked++;
        }
      }

      // Time moves on: a reminder (10:40), the deadline (11:05), then the debrief day (Wed 09:01).
      const settle = async (what: string, ready: () => Promise<boolean>) => {
        for (let i = 0; i < 600; i++) {
          if (await ready()) return;
          await sleep(100);
        }
        const stuck = await q.query(
          "SELECT case_id, id, attempts, next_attempt_at, claimed_by, body->>'kind' AS kind, body->>'lastError' AS error FROM case_outbox WHERE status = 'pending' LIMIT 5",
        );
        throw new Error(`timed out waiting for ${what}; pending: ${JSON.stringify(stuck.rows)}`);
      };
      // The replicas' clock stands still between the steps below, but a delivery that failed
      // under load is retried at a later time: move the clock to it (a few minutes at most, far
      // from any reminder), as time would pass.
      let clock = '';
      const setClock = async (at: string) => {
        clock = at;
        await writeFile(clockFile, at);
      };
      const letRetriesFall = async () => {
        const { rows } = await q.query(
          "SELECT max(next_attempt_at) AS at FROM case_outbox WHERE status = 'pending'",
        );
        const at = rows[0]?.at as string | null;
        if (at && at > clock && Date.parse(at) - Date.parse(clock) <= 5 * 60_000)
          await setClock(at);
      };
      const delivered = async () => {
        if ((await pending()) === 0) return true;
        await letRetriesFall();
        return false;
      };
      const pending = async () =>
        Number(
          (await q.query("SELECT count(*) AS n FROM case_outbox WHERE status = 'pending'")).rows[0]
            .n,
        );
      const historyCount = async (type: string) =>
        Number(
          (await q.query("SELECT count(*) AS n FROM case_events WHERE event->>'type' = $1", [type]))
            .rows[0].n,
        );
      clock = T0;
      await settle('first deliveries', delivered);
      await setClock('2027-03-07T21:40:00.000Z');
      await settle('reminders', async () => (await historyCount('reminded')) >= USERS * 2);
      await sleep(3000); // a few more ticks on both replicas: nothing more may happen
      expect(await historyCount('reminded')).toBe(USERS * 2);
      await setClock('2027-03-07T22:05:00.000Z');
      await settle('deadlines', async () => (await historyCount('sent-to-backup')) >= USERS * 2);
      await setClock('2027-03-09T20:01:00.000Z');
      await settle(
        'debrief invitations',
        async () =>
          Number((await q.query('SELECT count(*) AS n FROM scheduled_jobs')).rows[0].n) === 0,
      );
      await sleep(3000);
      await settle('last deliveries', delivered);
      expect(await historyCount('sent-to-backup')).toBe(USERS * 2);
      const reminded = await historyCount('reminded');
      expect(reminded).toBe(USERS * 4);

      // Every message to a contact, as the contact's pages saw it (both replicas' streams,
      // de-duplicated by id), matches the outbox one for one.
      const sent = (
        await q.query(
          `SELECT o.case_id, o.body FROM case_outbox o WHERE o.body->>'to' IN ('primary', 'backup')`,
        )
      ).rows as {
        case_id: string;
        body: { kind: string; user: { id: string }; status: string; messageId?: string };
      }[];
      await settle('contact pages', async () => {
        const ids = new Set(watchers.flatMap((w) => [...w.seen.keys()]));
        return sent.every((n) => ids.has(Number(n.body.messageId?.slice(4))));
      });
      for (const w of watchers) w.stop();
      const expectedByKey = new Map<string, number>();
      for (const n of sent) {
        expect(n.body.status).toBe('sent');
        const key = `${n.body.user.id} ${n.case_id} ${n.body.kind}`;
        expectedByKey.set(key, (expectedByKey.get(key) ?? 0) + 1);
      }
      const seenByKey = new Map<string, number>();
      let contactMessages = 0;
      for (const w of watchers) {
        for (const text of w.seen.values()) {
          const m =
            /^New case (SC-\S+) for/.exec(text) ??
            /^Reminder: case (SC-\S+) has/.exec(text) ??
            /^Case (SC-\S+) was not acknowledged/.exec(text);
          if (!m) continue;
          const kind = text.startsWith('New')
            ? 'new-case'
            : text.startsWith('Rem')
              ? 'reminder'
              : 'backup';
          const key = `${w.userId} ${m[1]} ${kind}`;
          seenByKey.set(key, (seenByKey.get(key) ?? 0) + 1);
          contactMessages++;
        }
      }
      expect(seenByKey).toEqual(expectedByKey);

      // Each traveller was invited to their debrief once.
      const invitations = (
        await q.query(
          `SELECT user_id, count(*) AS n FROM web_inbox
           WHERE reply::text LIKE '%time for a two-minute debrief%' GROUP BY user_id`,
        )
      ).rows as { user_id: string; n: string }[];
      expect(invitations).toHaveLength(USERS);
      expect(invitations.every((r) => r.n === '1')).toBe(true);

      const summary = {
        replicas: 2,
        runs: USERS * 2,
        requests: counts.requests,
        killedAfterRequests: killedAt,
        requestsFailedOver: counts.failedOver,
        trips: trips.length,
        cases: cases.length,
        answersChecked,
        contactMessages,
        contactMessagesExpected: sent.length,
        duplicatesSeen: contactMessages - sent.length,
        reminders: reminded,
        deadlineEscalations: await historyCount('sent-to-backup'),
        debriefInvitations: invitations.length,
      };
      console.log(`two-replica fault test: ${JSON.stringify(summary)}`);
      // Both replicas stop cleanly on SIGTERM.
      await Promise.all([a.kill('SIGTERM'), b.kill('SIGTERM')]);
      expect(a.child.exitCode, a.output.slice(-3000)).toBe(0);
      expect(b.child.exitCode, b.output.slice(-3000)).toBe(0);
    } finally {
      for (const w of watchers) w.stop();
      await q.end();
      for (const r of replicas) await r.kill('SIGKILL');
      await drop();
    }
  }, 600_000);
});
