import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAdvisor } from '../../src/app.js';
import { fixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { MemoryStore } from '../../src/storage/index.js';
import { FIXTURE_KNOWLEDGE, startTestServer, type TestServer } from '../helpers/server.js';

const user = { platform: 'web' as const, id: 'aroha', name: 'Aroha Ngata' };
const conversation = { id: 'dm', kind: 'direct' as const };

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

async function ask(text: string) {
  const [reply] = await s!.advisor.bot.handle({ user, conversation, text });
  await s!.advisor.unanswered.idle();
  return reply!;
}

describe('recording unanswered questions', () => {
  it('keeps nothing by default', async () => {
    s = await startTestServer();
    expect((await ask('Can we fly a drone over the lantern festival?')).kind).toBe('no-guidance');
    expect(await s.advisor.store.listUnanswered()).toEqual([]);
    expect(await readdir(s.dataDir)).not.toContain('unanswered.jsonl');
  });

  it('with RECORD_UNANSWERED, keeps refusals and declines redacted, with no user id', async () => {
    s = await startTestServer({ env: { RECORD_UNANSWERED: 'true' } });
    const refused = await ask(
      'Kia ora Mere, can we fly a drone over the lantern festival? Cheers, Aroha (events) 027 555 0192',
    );
    expect(refused.kind).toBe('no-guidance');
    const declined = await ask('Is the mayor a foreign agent?');
    expect(declined.kind).toBe('declined');
    expect((await ask('What counts as foreign interference?')).kind).toBe('answer');
    const kept = await s.advisor.store.listUnanswered();
    expect(kept).toHaveLength(2);
    expect(kept[0]).toMatchObject({
      at: '2026-11-27T01:00:00.000Z',
      outcome: 'no-guidance',
      text: 'Kia ora [name], can we fly a drone over the lantern festival? Cheers [name]',
    });
    expect(kept[0]?.closestEntryId === undefined).toBe(refused.entryId === undefined);
    expect(kept[1]).toMatchObject({ outcome: 'declined', declinedKind: expect.any(String) });
    const file = await readFile(join(s.dataDir, 'unanswered.jsonl'), 'utf8');
    for (const secret of ['aroha', 'Aroha', 'Mere', '027', '555', 'web:'])
      expect(file).not.toContain(secret);
  });

  it('purges questions older than UNANSWERED_RETENTION_DAYS on the scheduler tick', async () => {
    s = await startTestServer({
      env: { RECORD_UNANSWERED: 'true', UNANSWERED_RETENTION_DAYS: '10' },
    });
    await ask('Can we fly a drone over the lantern festival?');
    s.clock.advance(9 * 86_400_000);
    await s.advisor.scheduler.tick();
    expect(await s.advisor.store.listUnanswered()).toHaveLength(1);
    s.clock.advance(2 * 86_400_000);
    await s.advisor.scheduler.tick();
    expect(await s.advisor.store.listUnanswered()).toEqual([]);
  });

  it('purges expired questions at start-up, even with recording off', async () => {
    const store = new MemoryStore();
    const q = (at: string) => ({ at, outcome: 'no-guidance' as const, text: 'q' });
    await store.addUnanswered(q('2026-08-01T00:00:00.000Z'));
    await store.addUnanswered(q('2026-11-01T00:00:00.000Z'));
    const advisor = await createAdvisor(
      loadConfig({ KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE, ESCALATION_ENABLED: 'false' }),
      silentLogger(),
      { store, clock: fixedClock('2026-11-27T01:00:00Z') },
    );
    expect((await store.listUnanswered()).map((x) => x.at)).toEqual(['2026-11-01T00:00:00.000Z']);
    await advisor.close();
  });
});
