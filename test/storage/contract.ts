import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScheduledJob, Store } from '../../src/storage/index.js';
import { deferred, settlesWithin } from '../helpers/async.js';

/** The behaviour every Store must have. Each implementation's test file runs this suite. */
export function storeContract(
  name: string,
  make: () => Promise<{
    store: Store;
    reopen?: () => Promise<Store>;
    /**
     * Opens a second store on the same storage while the first stays open, as a second replica
     * would. Only stores that several processes may share (PostgreSQL) give one; the file and
     * memory stores serve one process, so their claims, locks and seen keys are per process.
     */
    replica?: () => Promise<Store>;
    cleanup: () => Promise<void>;
  }>,
  /** `shared`: several processes may share this store (it must give `replica`). */
  opts: { shared?: boolean } = {},
) {
  const { shared = false } = opts;
  /** Per process for the file and memory stores, across every replica for a shared store. */
  const scope = shared ? 'across replicas' : 'per-process store, within one process';
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let reopen: (() => Promise<Store>) | undefined;
    let replica: (() => Promise<Store>) | undefined;
    let cleanup: () => Promise<void>;
    const extra: Store[] = [];
    /** A second store on the same storage (a second replica); closed after the test. */
    const second = async (): Promise<Store> => {
      if (!replica) throw new Error('this store has no replica');
      const s = await replica();
      extra.push(s);
      return s;
    };
    beforeEach(async () => {
      ({ store, reopen, replica, cleanup } = await make());
    });
    afterEach(async () => {
      for (const s of extra.splice(0)) await s.close();
      await store.close();
      await cleanup();
    });

    it('saves, reads and forgets conversation state', async () => {
      expect(await store.getConversation('web:-:u1')).toBeUndefined();
      await store.setConversation('web:-:u1', {
        updatedAt: '2026-11-27T00:00:00Z',
        flow: { name: 'pretrip', data: { step: 3 } },
      });
      expect(await store.getConversation('web:-:u1')).toEqual({
        updatedAt: '2026-11-27T00:00:00Z',
        flow: { name: 'pretrip', data: { step: 3 } },
      });
      await store.setConversation('web:-:u1', undefined);
      expect(await store.getConversation('web:-:u1')).toBeUndefined();
    });

    it('forgets state idle since before a time, and only that', async () => {
      await store.setConversation('web:-:old', { updatedAt: '2026-10-01T00:00:00.000Z' });
      await store.setConversation('web:-:new', { updatedAt: '2026-11-20T00:00:00.000Z' });
      await store.setConversation('web:-:gone', { updatedAt: '2026-09-01T00:00:00.000Z' });
      await store.setConversation('web:-:gone', undefined);
      expect(await store.pruneConversations('2026-10-28T00:00:00.000Z')).toBe(1);
      expect(await store.getConversation('web:-:old')).toBeUndefined();
      expect(await store.getConversation('web:-:new')).toEqual({
        updatedAt: '2026-11-20T00:00:00.000Z',
      });
      expect(await store.pruneConversations('2026-10-28T00:00:00.000Z')).toBe(0);
    });

    it('answers a readiness check, and counts checklists in progress changed since a time', async () => {
      await expect(store.ready()).resolves.toBeUndefined();
      const flow = { name: 'checklist', data: { step: 2 } };
      await store.setConversation('web:-:a', { updatedAt: '2026-11-20T00:00:00.000Z', flow });
      await store.setConversation('web:-:b', { updatedAt: '2026-11-01T00:00:00.000Z', flow });
      await store.setConversation('web:-:c', { updatedAt: '2026-11-25T00:00:00.000Z' });
      expect(await store.countFlows('2026-11-10T00:00:00.000Z')).toBe(1);
      expect(await store.countFlows('2026-10-10T00:00:00.000Z')).toBe(2);
    });

    it('returns copies, so callers cannot change stored state by accident', async () => {
      await store.setConversation('web:-:u1', {
        updatedAt: 'a',
        flow: { name: 'x', data: { n: 1 } },
      });
      const got = await store.getConversation('web:-:u1');
      if (got?.flow) got.flow.data.n = 99;
      expect((await store.getConversation('web:-:u1'))?.flow?.data.n).toBe(1);
    });

    it('keeps every write when many arrive at once', async () => {
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          Promise.all([
            store.setConversation(`web:-:u${i}`, { updatedAt: String(i) }),
            store.addFeedback({
              at: String(i),
              user: `web:-:u${i}`,
              entryId: 'e',
              helpful: i % 2 === 0,
            }),
            store.audit({ at: String(i), type: 'answered', actor: `web:-:u${i}` }),
          ]),
        ),
      );
      for (let i = 0; i < 200; i++)
        expect((await store.getConversation(`web:-:u${i}`))?.updatedAt).toBe(String(i));
      expect(await store.listFeedback()).toHaveLength(200);
      expect(await store.readAudit()).toHaveLength(200);
    });

    it('hands out each sequence number once, even when asked at the same time', async () => {
      const numbers = await Promise.all(
        Array.from({ length: 20 }, () => store.nextSequence('TR-2026')),
      );
      expect(new Set(numbers).size).toBe(20);
      expect(Math.max(...numbers)).toBe(20);
      expect(await store.nextSequence('SC-2026')).toBe(1);
    });

    it("keeps trip records and lists a user's own", async () => {
      const a = { platform: 'web' as const, id: 'a' };
      const b = { platform: 'slack' as const, id: 'a', workspace: 'T1' };
      await store.addTrip({
        id: 'TR-1',
        checklist: 'pretrip',
        user: a,
        createdAt: '1',
        answers: {},
        summary: [{ stepId: 's', label: 'L', answer: 'x' }],
        flags: [],
      });
      await store.addTrip({
        id: 'TR-2',
        checklist: 'pretrip',
        user: b,
        createdAt: '2',
        answers: {},
        summary: [],
        flags: [],
      });
      expect((await store.listTrips('web:-:a')).map((t) => t.id)).toEqual(['TR-1']);
      expect((await store.getTrip('TR-2'))?.user).toEqual(b);
      expect(await store.getTrip('TR-3')).toBeUndefined();
    });

    it('stores a trip once: the same id again keeps the first record, also after a restart', async () => {
      const user = { platform: 'web' as const, id: 'a' };
      const trip = {
        id: 'TR-2026-0001',
        checklist: 'pretrip',
        user,
        createdAt: '1',
        answers: { purpose: 'first' },
        summary: [],
        flags: [],
      };
      expect(await store.hasTrip(trip.id)).toBe(false);
      await store.addTrip(trip);
      await store.addTrip({ ...trip, answers: { purpose: 'second' } });
      await Promise.all([store.addTrip(trip), store.addTrip(trip)]);
      expect(await store.hasTrip(trip.id)).toBe(true);
      expect(await store.hasTrip('TR-2026-0002')).toBe(false);
      expect(await store.listTrips('web:-:a')).toEqual([trip]);
      expect((await store.getTrip(trip.id))?.answers).toEqual({ purpose: 'first' });
      if (!reopen) return;
      await store.close();
      store = await reopen();
      await store.addTrip({ ...trip, answers: { purpose: 'after a restart' } });
      expect(await store.hasTrip(trip.id)).toBe(true);
      expect(await store.listTrips('web:-:a')).toEqual([trip]);
    });

    it('records escalation requests and schedules, lists and removes jobs', async () => {
      const reporter = { platform: 'web' as const, id: 'a', name: 'Aroha' };
      await store.addEscalationRequest({
        id: 'ER-1',
        at: '1',
        source: 'pretrip',
        reporter,
        summary: 's',
        flags: [],
        answers: [],
      });
      expect((await store.listEscalationRequests()).map((r) => r.reporter)).toEqual([reporter]);
      await store.scheduleJob({
        id: 'j1',
        dueAt: '2027-01-01T00:00:00Z',
        kind: 'debrief',
        user: reporter,
        tripId: 'TR-1',
      });
      await store.scheduleJob({
        id: 'j1',
        dueAt: '2027-01-02T00:00:00Z',
        kind: 'debrief',
        user: reporter,
        tripId: 'TR-1',
      });
      expect((await store.listJobs()).map((j) => j.dueAt)).toEqual(['2027-01-02T00:00:00Z']);
      await store.removeJob('j1');
      expect(await store.listJobs()).toEqual([]);
    });

    it('records feedback and audit events in order', async () => {
      await store.addFeedback({ at: '1', user: 'u', entryId: 'a', helpful: true });
      await store.addFeedback({ at: '2', user: 'u', entryId: 'b', helpful: false });
      await store.audit({ at: '3', type: 'answered', actor: 'u', data: { entryId: 'a' } });
      expect((await store.listFeedback()).map((f) => [f.entryId, f.helpful])).toEqual([
        ['a', true],
        ['b', false],
      ]);
      expect(await store.readAudit()).toEqual([
        { at: '3', type: 'answered', actor: 'u', data: { entryId: 'a' } },
      ]);
    });

    it('keeps unanswered questions, lists them since a time, and purges the old ones', async () => {
      const old = {
        at: '2026-08-01T00:00:00.000Z',
        outcome: 'no-guidance' as const,
        text: 'Can we fly a drone over the [name] festival?',
        closestEntryId: 'gifts-koha',
        closestScore: 12.5,
      };
      const declined = {
        at: '2026-11-01T00:00:00.000Z',
        outcome: 'declined' as const,
        text: 'Is my neighbour a spy?',
        declinedKind: 'judging-people',
      };
      const recent = { at: '2026-11-20T00:00:00.000Z', outcome: 'no-guidance' as const, text: 'q' };
      for (const q of [old, declined, recent]) await store.addUnanswered(q);
      expect(await store.listUnanswered()).toEqual([old, declined, recent]);
      expect(await store.listUnanswered('2026-11-01T00:00:00.000Z')).toEqual([declined, recent]);
      expect(await store.purgeUnanswered('2026-10-01T00:00:00.000Z')).toBe(1);
      expect(await store.purgeUnanswered('2026-10-01T00:00:00.000Z')).toBe(0);
      expect(await store.listUnanswered()).toEqual([declined, recent]);
      if (!reopen) return;
      await store.close();
      store = await reopen();
      expect(await store.listUnanswered()).toEqual([declined, recent]);
    });

    it('marks a key once, even when asked at the same time, and again only after unmarking', async () => {
      const at = '2026-11-30T00:00:00.000Z';
      const first = await Promise.all(Array.from({ length: 10 }, () => store.markOnce('k1', at)));
      expect(first.filter(Boolean)).toHaveLength(1);
      expect(await store.markOnce('k2', at)).toBe(true);
      await store.unmarkOnce('k2');
      await store.unmarkOnce('never-marked');
      if (reopen) {
        await store.close();
        store = await reopen();
      }
      expect(await store.markOnce('k1', at)).toBe(false);
      expect(await store.markOnce('k2', at)).toBe(true);
    });

    // Claims, locks and seen keys: what N replicas on one database rely on.

    const job = (id: string, dueAt: string): ScheduledJob => ({
      id,
      dueAt,
      kind: 'debrief',
      user: { platform: 'web', id: `u-${id}` },
      tripId: `TR-${id}`,
    });
    const NOW = '2026-12-01T00:00:00.000Z';
    const PAST = '2026-11-30T00:00:00.000Z';
    const LATER = '2026-12-02T00:00:00.000Z';
    const claimIds = async (s: Store, owner: string, leaseMs = 60_000) =>
      (await s.claimJobs(owner, NOW, leaseMs)).map((j) => j.id);

    it('claimJobs returns due jobs only, oldest first, whole; a removed job is not claimed', async () => {
      await store.scheduleJob(job('b', NOW));
      await store.scheduleJob(job('a', PAST));
      await store.scheduleJob(job('later', LATER));
      const got = await store.claimJobs('r1', NOW, 60_000);
      expect(got).toEqual([job('a', PAST), job('b', NOW)]);
      await store.removeJob('a');
      await store.releaseJobs('r1');
      expect(await claimIds(store, 'r1')).toEqual(['b']);
      expect(await store.listJobs()).toHaveLength(2);
    });

    if (shared) {
      it('claimJobs: a claimed job goes to no other owner until it is released', async () => {
        const other = await second();
        for (const id of ['j1', 'j2']) await store.scheduleJob(job(id, PAST));
        expect(await claimIds(store, 'r1')).toEqual(['j1', 'j2']);
        expect(await claimIds(other, 'r2')).toEqual([]);
        // Another owner's release frees nothing of r1's.
        await other.releaseJobs('r2');
        expect(await claimIds(other, 'r2')).toEqual([]);
        await store.releaseJobs('r1');
        expect(await claimIds(other, 'r2')).toEqual(['j1', 'j2']);
        expect(await claimIds(store, 'r1')).toEqual([]);
      });

      it('claimJobs: a claim whose lease ran out (its replica died) is taken by another', async () => {
        const other = await second();
        await store.scheduleJob(job('j1', PAST));
        await store.scheduleJob(job('j2', PAST));
        expect(await claimIds(store, 'dead', 1)).toEqual(['j1', 'j2']);
        // The lease is 1 ms of the database's clock; wait until another owner gets the jobs.
        let got: string[] = [];
        for (let i = 0; i < 100 && got.length < 2; i++) {
          await new Promise((r) => setTimeout(r, 5));
          got = [...got, ...(await claimIds(other, 'r2'))];
        }
        expect(got.sort()).toEqual(['j1', 'j2']);
        expect(await claimIds(store, 'dead')).toEqual([]);
      });

      it('claimJobs: replicas claiming at the same moment get disjoint sets, together every job', async () => {
        const other = await second();
        const ids = Array.from({ length: 60 }, (_, i) => `j${String(i).padStart(2, '0')}`);
        for (const id of ids) await store.scheduleJob(job(id, PAST));
        const rounds = await Promise.all(
          Array.from({ length: 6 }, (_, i) => claimIds(i % 2 ? other : store, `r${i}`)),
        );
        const all = rounds.flat();
        expect(new Set(all).size).toBe(all.length);
        expect(all.sort()).toEqual(ids);
      });

      it('claimJobs: scheduling a job again (a new due time) ends its old claim', async () => {
        const other = await second();
        await store.scheduleJob(job('j1', PAST));
        expect(await claimIds(store, 'r1')).toEqual(['j1']);
        await store.scheduleJob(job('j1', NOW));
        expect(await claimIds(other, 'r2')).toEqual(['j1']);
      });
    } else {
      it('claimJobs (per-process store): every due job comes back to any owner; one process runs them', async () => {
        await store.scheduleJob(job('j1', PAST));
        expect(await claimIds(store, 'r1')).toEqual(['j1']);
        // No other process can share this store, so a claim holds nothing back.
        expect(await claimIds(store, 'r2')).toEqual(['j1']);
        await store.releaseJobs('r1');
        expect(await claimIds(store, 'r1')).toEqual(['j1']);
      });
    }

    /** Runs `n` holders of `name` at once on the given stores; resolves with the most inside at once. */
    const contend = async (stores: Store[], name: string, n: number): Promise<number> => {
      let inside = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          stores[i % stores.length]!.exclusive(name, async () => {
            inside++;
            most = Math.max(most, inside);
            // Awaiting a real round trip gives a wrongly admitted holder time to enter.
            await stores[i % stores.length]!.ready();
            await new Promise((r) => setTimeout(r, 2));
            inside--;
          }),
        ),
      );
      return most;
    };

    it(`exclusive: one holder of a name at a time (${scope})`, async () => {
      expect(await contend([store], 'user:web:-:a', 8)).toBe(1);
    });

    it(`exclusive: different names are held at the same time (${scope})`, async () => {
      const bInside = deferred();
      const a = store.exclusive('user:web:-:a', async () => {
        await settlesWithin(bInside.promise, 5000, 'a holder of user:b, while user:a is held');
        return 'a';
      });
      const b = store.exclusive('user:web:-:b', async () => {
        bInside.resolve();
        return 'b';
      });
      expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    });

    it('exclusive: a holder may take a lock of another family; a failure frees the lock', async () => {
      const got = await store.exclusive('user:web:-:a', () =>
        store.exclusive('cases', async () => 42),
      );
      expect(got).toBe(42);
      await expect(
        store.exclusive('cases', async () => {
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(
        await settlesWithin(
          store.exclusive('cases', async () => 'next'),
          5000,
          'the next holder',
        ),
      ).toBe('next');
    });

    if (shared) {
      it('exclusive: across two replicas, one holder of a name at a time', async () => {
        const other = await second();
        expect(await contend([store, other], 'user:web:-:a', 8)).toBe(1);
        expect(await contend([store, other], 'cases', 6)).toBe(1);
      });

      it('exclusive: across two replicas, a second holder waits for the first to finish', async () => {
        const other = await second();
        const gate = deferred();
        const inside = deferred();
        const order: string[] = [];
        const first = store.exclusive('cases', async () => {
          inside.resolve();
          await gate.promise;
          order.push('first done');
        });
        await inside.promise;
        const next = other.exclusive('cases', async () => {
          order.push('second in');
        });
        // Give a wrongly admitted second holder every chance to enter.
        await new Promise((r) => setTimeout(r, 200));
        expect(order).toEqual([]);
        gate.resolve();
        await Promise.all([first, next]);
        expect(order).toEqual(['first done', 'second in']);
      });

      it('exclusive: across two replicas, different names are held at the same time', async () => {
        const other = await second();
        const bInside = deferred();
        const a = store.exclusive('user:web:-:a', () =>
          settlesWithin(
            bInside.promise,
            5000,
            'replica 2 holding user:b while replica 1 holds user:a',
          ),
        );
        const b = other.exclusive('user:web:-:b', async () => bInside.resolve());
        await Promise.all([a, b]);
      });
    }

    it(`firstSeen: true the first time, false for a repeat, once when asked at once (${scope})`, async () => {
      expect(await store.firstSeen('slack:Ev1')).toBe(true);
      expect(await store.firstSeen('slack:Ev1')).toBe(false);
      expect(await store.firstSeen('slack:Ev2')).toBe(true);
      const at = await Promise.all(Array.from({ length: 10 }, () => store.firstSeen('slack:Ev3')));
      expect(at.filter(Boolean)).toHaveLength(1);
    });

    it('purgeSeen never forgets a key seen after the cut-off', async () => {
      expect(await store.firstSeen('slack:Ev1')).toBe(true);
      expect(await store.purgeSeen(new Date(Date.now() - 3600_000).toISOString())).toBe(0);
      expect(await store.firstSeen('slack:Ev1')).toBe(false);
    });

    if (shared) {
      it('firstSeen: a key seen by one replica is a repeat on another, also when asked at once', async () => {
        const other = await second();
        expect(await store.firstSeen('slack:Ev1')).toBe(true);
        expect(await other.firstSeen('slack:Ev1')).toBe(false);
        const at = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).firstSeen('slack:Ev2')),
        );
        expect(at.filter(Boolean)).toHaveLength(1);
      });

      it('purgeSeen forgets keys seen before the cut-off, for every replica', async () => {
        const other = await second();
        for (const k of ['a', 'b', 'c']) await store.firstSeen(`slack:${k}`);
        expect(await other.purgeSeen(new Date(Date.now() + 60_000).toISOString())).toBe(3);
        expect(await other.purgeSeen(new Date(Date.now() + 60_000).toISOString())).toBe(0);
        expect(await store.firstSeen('slack:a')).toBe(true);
      });
    } else {
      it('purgeSeen (per-process store): forgets nothing by age; memory keeps the last few thousand keys', async () => {
        expect(await store.firstSeen('slack:Ev1')).toBe(true);
        expect(await store.purgeSeen(new Date(Date.now() + 60_000).toISOString())).toBe(0);
        expect(await store.firstSeen('slack:Ev1')).toBe(false);
      });
    }
  });
}
