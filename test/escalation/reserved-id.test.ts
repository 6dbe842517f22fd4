import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { RecordingEscalator } from '../../src/escalation/escalator.js';
import { MemoryStore } from '../../src/storage/index.js';
import {
  BACKENDS,
  type Backend,
  input,
  makeCase,
  makeService,
  START,
  STRANGER,
} from './helpers.js';

describe.each(Object.keys(BACKENDS) as (keyof typeof BACKENDS)[])(
  'escalating with a reserved id (%s storage)',
  (kind) => {
    let b: Backend;
    beforeEach(async () => {
      b = await BACKENDS[kind]();
    });
    afterEach(async () => {
      await b.close();
    });
    const raised = async () =>
      (await b.store.readAudit()).filter((e) => e.type === 'case-raised').map((e) => e.data);

    it('raises the case once: escalating again with its id returns it and sends nothing new', async () => {
      const { service, notifier } = makeService(b);
      const id = await service.reserveId(new Date(START));
      expect(id).toBe('SC-2026-0001');
      const first = await service.escalate(input({ id }));
      const again = await service.escalate(input({ id, summary: 'changed on the retry' }));
      expect(again).toEqual(first);
      expect((await b.cases.listAll()).map((c) => [c.id, c.summary])).toEqual([
        [id, 'Report a concern RP-2026-0001'],
      ]);
      expect(notifier.delivered('sec')).toHaveLength(1);
      expect(await raised()).toEqual([{ caseId: id, source: 'report' }]);
    });

    it('writes the audit line a crash left out, once', async () => {
      const { service } = makeService(b);
      await b.cases.save(makeCase(1, { source: 'report' }));
      await service.escalate(input({ id: 'SC-2026-0001' }));
      await service.escalate(input({ id: 'SC-2026-0001' }));
      expect(await raised()).toEqual([{ caseId: 'SC-2026-0001', source: 'report' }]);
      expect(await b.cases.listAll()).toHaveLength(1);
    });

    it("never reserves a stored case's id, nor overwrites someone else's case", async () => {
      const { service } = makeService(b);
      const theirs = makeCase(1, { reporter: STRANGER });
      await b.cases.save(theirs);
      expect(await service.reserveId(new Date(START))).toBe('SC-2026-0002');
      const receipt = await service.escalate(input({ id: 'SC-2026-0001' }));
      expect(receipt.id).toBe('SC-2026-0003');
      expect(await b.cases.get('SC-2026-0001')).toEqual(theirs);
    });
  },
);

describe('RecordingEscalator with a reserved id', () => {
  it('records the request once', async () => {
    const store = new MemoryStore();
    const escalator = new RecordingEscalator(store, fixedClock(START));
    const id = await escalator.reserveId(new Date(START));
    expect(id).toBe('ER-2026-0001');
    const first = await escalator.escalate(input({ id }));
    expect(await escalator.escalate(input({ id }))).toEqual(first);
    expect((await store.listEscalationRequests()).map((r) => r.id)).toEqual([id]);
    expect((await escalator.escalate(input())).id).toBe('ER-2026-0002');
  });
});
