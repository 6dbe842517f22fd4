import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seedDataDir } from '../../bench/seed-cases.js';
import { FileCaseStore } from '../../src/escalation/case-store.js';
import { FileStore } from '../../src/storage/index.js';
import { tempDir } from '../escalation/helpers.js';

const NOW = new Date('2026-11-27T01:00:00Z');

/** bench:pg compares stores on a seeded folder; it is only fair if the file store takes it as its own. */
describe('the benchmark seed is a data folder the file store accepts as its own', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
  });

  it('reads back every case, trusts the archive index and finds the counters current', async () => {
    const t = await tempDir('sca-seed-');
    cleanup = t.cleanup;
    const seeded = await seedDataDir(t.dir, 600, 5, NOW);
    const state = await readFile(join(t.dir, 'state.json'), 'utf8');

    // Opening raises no counter: the seed left them at the highest id it issued.
    const store = await FileStore.open(t.dir);
    await store.close();
    expect(await readFile(join(t.dir, 'state.json'), 'utf8')).toBe(state);

    // The index is taken as it is: a lookup reads one monthly file, not all 36.
    const cases = await FileCaseStore.open(t.dir, { readOnly: true });
    const id = seeded.archivedIds[2]!;
    expect((await cases.get(id))?.id).toBe(id);
    expect(cases.stats.archiveReads).toBe(1);

    const active = await cases.listActive();
    expect(active.map((c) => c.id)).toEqual(seeded.openIds);
    expect(active.every((c) => c.status === 'new' || c.status === 'acknowledged')).toBe(true);
    const all = await cases.listAll();
    expect(all).toHaveLength(605);
    expect(new Set(all.map((c) => c.id)).size).toBe(605);
    const highest: Record<string, number> = {};
    for (const c of all) {
      const [, seq, n] = /^(SC-\d{4})-(\d{4,})$/.exec(c.id) ?? [];
      if (seq) highest[seq] = Math.max(highest[seq] ?? 0, Number(n));
    }
    expect(JSON.parse(state).counters).toEqual(highest);
    expect(Object.keys(highest)).toEqual(['SC-2023', 'SC-2024', 'SC-2025', 'SC-2026']);
    // Each case's outbox ids are its own, and the history ends as its status says.
    for (const c of all) {
      for (const n of c.notifications) expect(n.id.startsWith(`${c.id}/`)).toBe(true);
      if (c.closedAt) expect(c.history.at(-1)?.type).toBe(c.status);
    }
    const audit = (await readFile(join(t.dir, 'audit.jsonl'), 'utf8')).trim().split('\n');
    expect(audit.filter((l) => l.includes('"case-raised"'))).toHaveLength(605);
    const times = audit.map((l) => JSON.parse(l).at as string);
    expect(times).toEqual([...times].sort());
  });
});
