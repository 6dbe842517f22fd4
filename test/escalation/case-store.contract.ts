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
    cleanup: () => Promise<void>;
  }>,
  knownBugs: KnownBug[] = [],
) {
  describe(`CaseStore contract: ${name}`, () => {
    let store: CaseStore;
    let reopen: (() => Promise<CaseStore>) | undefined;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, reopen, cleanup } = await make());
    });
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
  });
}
