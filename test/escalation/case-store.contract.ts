import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaseStore } from '../../src/escalation/case-store.js';
import { finished, makeCase, note } from './helpers.js';

/** The names of contract tests an implementation is known to fail (pinned with `it.fails`). */
export type KnownBug = 'listAll sorts cases saved out of order';

const ids = (cases: { id: string }[]) => cases.map((c) => c.id);

/** The behaviour every CaseStore must have. Each implementation's test file runs this suite. */
export function caseStoreContract(
  name: string,
  make: () => Promise<{
    store: CaseStore;
    /** Opens the same storage again, as after a restart. */
    reopen?: () => Promise<CaseStore>;
    /**
     * A second store on the same storage while the first stays open, as a second replica would.
     * Only a store several processes may share (PostgreSQL) gives one, and it must claim.
     */
    replica?: () => Promise<CaseStore>;
    cleanup: () => Promise<void>;
  }>,
  knownBugs: KnownBug[] = [],
  /** `shared`: several processes may share this store, so it claims outbox rows (`claimDue`). */
  opts: { shared?: boolean } = {},
) {
  describe(`CaseStore contract: ${name}`, () => {
    let store: CaseStore;
    let reopen: (() => Promise<CaseStore>) | undefined;
    let replica: (() => Promise<CaseStore>) | undefined;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, reopen, replica, cleanup } = await make());
    });
    const second = async (): Promise<CaseStore> => {
      if (!replica) throw new Error('this case store has no replica');
      return replica();
    };
    afterEach(async () => {
      await cleanup();
    });
    const test = (title: KnownBug | string, fn: () => Promise<void>) =>
      (knownBugs.includes(title as KnownBug) ? it.fails : it)(title, fn);

    it('saves and reads a new case, and updates it in place', async () => {
      const c = makeCase(1);
      expect(await store.get(c.id)).toBeUndefined();
      expect(await store.getActive(c.id)).toBeUndefined();
      await store.save(c);
      expect(await store.get(c.id)).toEqual(c);
      expect(await store.getActive(c.id)).toEqual(c);
      await store.save({ ...c, status: 'acknowledged' });
      expect((await store.get(c.id))?.status).toBe('acknowledged');
      expect(ids(await store.listActive())).toEqual([c.id]);
      expect(ids(await store.listAll())).toEqual([c.id]);
    });

    it('keeps copies: changing a saved or returned case changes nothing stored', async () => {
      const c = makeCase(1);
      await store.save(c);
      c.summary = 'changed by the caller';
      c.history.push({ at: 'x', actor: 'y', type: 'reminded' });
      const got = await store.get(c.id);
      got!.status = 'closed';
      got!.notifications.push(note(c.id, 'pending'));
      const again = await store.get(c.id);
      expect(again?.summary).toBe('Case number 1');
      expect(again?.history).toHaveLength(1);
      expect(again?.status).toBe('new');
      expect(again?.notifications).toEqual([]);
    });

    it('listActive: open cases and finished ones with messages still to send', async () => {
      const open = makeCase(1, { status: 'info-requested' });
      const sending = makeCase(2, {
        status: 'resolved',
        closedAt: '2026-11-27T02:00:00.000Z',
        notifications: [note('SC-2026-0002', 'pending')],
      });
      const done = finished(3, '2026-11-27T03:00:00.000Z');
      const closedFailed = makeCase(4, {
        status: 'closed',
        closedAt: '2026-11-27T03:00:00.000Z',
        notifications: [note('SC-2026-0004', 'failed')],
      });
      for (const c of [open, sending, done, closedFailed]) await store.save(c);
      expect(ids(await store.listActive()).sort()).toEqual([open.id, sending.id]);
      expect(await store.getActive(sending.id)).toEqual(sending);
      expect(await store.getActive(done.id)).toBeUndefined();
      expect(await store.getActive(closedFailed.id)).toBeUndefined();
      expect(await store.get(done.id)).toEqual(done);
      expect(await store.get(closedFailed.id)).toEqual(closedFailed);
      expect(ids(await store.listAll())).toEqual([open.id, sending.id, done.id, closedFailed.id]);
    });

    it('a finished case stays active until its last message is sent, then is archived', async () => {
      const c = makeCase(1, {
        status: 'resolved',
        closedAt: '2026-11-27T02:00:00.000Z',
        notifications: [note('SC-2026-0001', 'pending')],
      });
      await store.save(c);
      expect(ids(await store.listActive())).toEqual([c.id]);
      const sent = { ...c, notifications: [note(c.id, 'sent')] };
      await store.save(sent);
      expect(await store.listActive()).toEqual([]);
      expect(await store.getActive(c.id)).toBeUndefined();
      expect(await store.get(c.id)).toEqual(sent);
      expect(await store.listAll()).toEqual([sent]);
    });

    it('listAll returns every case once, oldest first', async () => {
      for (let n = 1; n <= 6; n++)
        await store.save(n % 2 ? makeCase(n) : finished(n, '2026-12-01T00:00:00.000Z'));
      expect(ids(await store.listAll())).toEqual([1, 2, 3, 4, 5, 6].map((n) => makeCase(n).id));
    });

    test('listAll sorts cases saved out of order', async () => {
      await store.save(makeCase(3));
      await store.save(finished(2, '2026-12-01T00:00:00.000Z'));
      await store.save(makeCase(1));
      expect(ids(await store.listAll())).toEqual([1, 2, 3].map((n) => makeCase(n).id));
    });

    it('keeps every case when many saves arrive at once', async () => {
      const all = Array.from({ length: 60 }, (_, i) =>
        i % 3 === 0 ? finished(i + 1, '2026-12-01T00:00:00.000Z') : makeCase(i + 1),
      );
      await Promise.all(all.map((c) => store.save(c)));
      expect(await store.listAll()).toHaveLength(60);
      expect(await store.listActive()).toHaveLength(40);
    });

    it('purge deletes finished cases closed before the cut-off, and nothing else', async () => {
      const old = finished(1, '2026-01-10T00:00:00.000Z');
      const oldClosed = { ...finished(2, '2026-02-10T00:00:00.000Z'), status: 'closed' as const };
      const recent = finished(3, '2026-11-01T00:00:00.000Z');
      const oldButSending = makeCase(4, {
        status: 'resolved',
        closedAt: '2026-01-01T00:00:00.000Z',
        notifications: [note('SC-2026-0004', 'pending')],
      });
      const open = makeCase(5, { raisedAt: '2025-01-01T00:00:00.000Z' });
      for (const c of [old, oldClosed, recent, oldButSending, open]) await store.save(c);
      expect(await store.purge('2026-06-01T00:00:00.000Z')).toBe(2);
      expect(await store.get(old.id)).toBeUndefined();
      expect(await store.get(oldClosed.id)).toBeUndefined();
      expect(ids(await store.listAll()).sort()).toEqual([recent.id, oldButSending.id, open.id]);
      expect(await store.purge('2026-06-01T00:00:00.000Z')).toBe(0);
      // Exactly at the cut-off is kept ("before" is strict).
      expect(await store.purge('2026-11-01T00:00:00.000Z')).toBe(0);
      expect(await store.purge('2026-11-01T00:00:00.001Z')).toBe(1);
    });

    it('survives a restart (when the store is durable)', async () => {
      if (!reopen) return;
      const open = makeCase(1, { status: 'acknowledged' });
      const sending = makeCase(2, {
        status: 'closed',
        closedAt: '2026-11-28T00:00:00.000Z',
        notifications: [note('SC-2026-0002', 'pending')],
      });
      const done = finished(3, '2026-12-02T00:00:00.000Z');
      for (const c of [open, sending, done]) await store.save(c);
      const again = await reopen();
      expect(await again.listAll()).toEqual([open, sending, done]);
      expect(ids(await again.listActive())).toEqual([open.id, sending.id]);
      expect(await again.get(done.id)).toEqual(done);
    });

    // The outbox claim: how replicas share sending.

    const NOW = '2026-11-27T02:00:00.000Z';
    /** A case with `n` pending messages due at START, one not yet due, and one already sent. */
    const withOutbox = (caseNo: number, n = 2) => {
      const id = makeCase(caseNo).id;
      return makeCase(caseNo, {
        notifications: [
          ...Array.from({ length: n }, (_, i) => note(id, 'pending', { id: `${id}/${i + 1}` })),
          note(id, 'pending', { id: `${id}/later`, nextAttemptAt: '2026-11-28T00:00:00.000Z' }),
          note(id, 'sent', { id: `${id}/sent` }),
        ],
      });
    };
    const claimIds = async (s: CaseStore, owner: string, leaseMs = 60_000, caseId?: string) =>
      ((await s.claimDue?.(owner, NOW, leaseMs, caseId)) ?? []).map((c) => c.id);

    if (opts.shared) {
      it('claimDue: due pending messages only, each case in queued order, one case when asked', async () => {
        await store.save(withOutbox(2));
        await store.save(withOutbox(1));
        expect(await store.claimDue!('r1', NOW, 60_000, 'SC-2026-0002')).toEqual([
          { caseId: 'SC-2026-0002', id: 'SC-2026-0002/1' },
          { caseId: 'SC-2026-0002', id: 'SC-2026-0002/2' },
        ]);
        expect(await claimIds(store, 'r1')).toEqual(['SC-2026-0001/1', 'SC-2026-0001/2']);
      });

      it('claimDue: two replicas claiming at once take disjoint rows, together every due one', async () => {
        const other = await second();
        const cases = Array.from({ length: 12 }, (_, i) => withOutbox(i + 1, 3));
        for (const c of cases) await store.save(c);
        const rounds = await Promise.all(
          Array.from({ length: 6 }, (_, i) => claimIds(i % 2 ? other : store, `r${i}`)),
        );
        const all = rounds.flat();
        expect(new Set(all).size).toBe(all.length);
        expect(all.sort()).toEqual(
          cases.flatMap((c) => [1, 2, 3].map((n) => `${c.id}/${n}`)).sort(),
        );
      });

      it('claimDue: a claimed row goes to no other replica until released', async () => {
        const other = await second();
        await store.save(withOutbox(1));
        expect(await claimIds(store, 'r1')).toHaveLength(2);
        expect(await claimIds(other, 'r2')).toEqual([]);
        await other.releaseClaims!('r2');
        expect(await claimIds(other, 'r2')).toEqual([]);
        await store.releaseClaims!('r1');
        expect(await claimIds(other, 'r2')).toEqual(['SC-2026-0001/1', 'SC-2026-0001/2']);
      });

      it('claimDue: when the lease runs out (the replica died), another replica takes the row', async () => {
        const other = await second();
        await store.save(withOutbox(1, 1));
        expect(await claimIds(store, 'dead', 1)).toEqual(['SC-2026-0001/1']);
        let got: string[] = [];
        for (let i = 0; i < 100 && !got.length; i++) {
          await new Promise((r) => setTimeout(r, 5));
          got = await claimIds(other, 'r2');
        }
        expect(got).toEqual(['SC-2026-0001/1']);
      });

      it('claimDue: recording an attempt ends the claim; a later retry time is not due', async () => {
        const other = await second();
        const c = withOutbox(1, 2);
        await store.save(c);
        expect(await claimIds(store, 'r1')).toHaveLength(2);
        const [first, secondMsg, ...rest] = c.notifications;
        // r1 sent the first and failed the second (retry later); another save leaves claims alone.
        await store.save({
          ...c,
          notifications: [
            { ...first!, status: 'sent', attempts: 1, sentAt: NOW },
            { ...secondMsg!, attempts: 1, nextAttemptAt: '2026-11-27T02:01:00.000Z' },
            ...rest,
          ],
        });
        expect(await claimIds(other, 'r2')).toEqual([]);
        expect(
          ((await other.claimDue!('r2', '2026-11-27T02:01:00.000Z', 60_000)) ?? []).map(
            (x) => x.id,
          ),
        ).toEqual(['SC-2026-0001/2']);
      });
    } else {
      it('claimDue (per-process store): not offered; the one process keeps its claims in memory', async () => {
        expect(store.claimDue).toBeUndefined();
        expect(store.releaseClaims).toBeUndefined();
      });
    }
  });
}
