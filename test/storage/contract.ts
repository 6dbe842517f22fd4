import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/index.js';

/** The behaviour every Store must have. Each implementation's test file runs this suite. */
export function storeContract(
  name: string,
  make: () => Promise<{
    store: Store;
    reopen?: () => Promise<Store>;
    cleanup: () => Promise<void>;
  }>,
) {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let reopen: (() => Promise<Store>) | undefined;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, reopen, cleanup } = await make());
    });
    afterEach(async () => {
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
  });
}
