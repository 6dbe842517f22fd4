import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { CuratorDigest, digestWeek } from '../../src/curation/index.js';
import { ContactsSchema } from '../../src/escalation/contacts.js';
import { type Knowledge, loadKnowledge } from '../../src/knowledge/index.js';
import { silentLogger } from '../../src/logger.js';
import type { Notifier, Platform } from '../../src/model.js';
import { Scheduler } from '../../src/scheduler.js';
import { FileStore, type Store } from '../../src/storage/index.js';
import { FakeNotifier } from '../escalation/helpers.js';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';

// Friday 27 November 2026, 14:00 NZDT. The next Monday is 30 November; 09:00 NZDT is 20:00Z the day before.
const FRIDAY = '2026-11-27T01:00:00Z';
const MONDAY_0859 = new Date('2026-11-29T19:59:00Z');
const MONDAY_0900 = new Date('2026-11-29T20:00:00Z');
const HOUR = 3600_000;

const curators = ContactsSchema.parse({
  primary: { name: 'Sam Security', web: 'sec' },
  curators: [
    { name: 'Cara Curator', email: 'cara@council.govt.nz', web: 'cara' },
    { name: 'Kiri Curator', web: 'kiri', slack: 'U0KIRI' },
  ],
}).curators!;

let knowledge: Knowledge;
beforeAll(async () => {
  knowledge = await loadKnowledge(FIXTURE_KNOWLEDGE);
});

describe('digestWeek', () => {
  it('is the NZ Monday of the week, from Monday 09:00 NZ time', () => {
    expect(digestWeek(new Date(FRIDAY))).toBe('2026-11-23');
    expect(digestWeek(MONDAY_0859)).toBeUndefined();
    expect(digestWeek(MONDAY_0900)).toBe('2026-11-30');
    // Sunday 23:59 NZDT is still the week before.
    expect(digestWeek(new Date('2026-12-06T10:59:00Z'))).toBe('2026-11-30');
    expect(digestWeek(new Date('2026-12-06T20:00:00Z'))).toBe('2026-12-07');
    // Winter time (NZST, +12): Monday 1 June 2026 09:00 is 21:00Z on Sunday.
    expect(digestWeek(new Date('2026-05-31T20:59:00Z'))).toBeUndefined();
    expect(digestWeek(new Date('2026-05-31T21:00:00Z'))).toBe('2026-06-01');
  });
});

describe('the weekly curator digest', () => {
  let dir: string;
  let store: Store;
  const web = new FakeNotifier('web');
  const notifiers = new Map<Platform, Notifier>([['web', web]]);
  const make = (clock: ReturnType<typeof fixedClock>, s: Store, recording = true) =>
    new CuratorDigest({
      store: s,
      knowledge,
      clock,
      logger: silentLogger(),
      notifiers,
      curators,
      recording,
    });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sca-digest-'));
    store = await FileStore.open(dir);
    web.calls.length = 0;
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends once a week from Monday 09:00, through a double tick and a restart mid-week', async () => {
    const clock = fixedClock(MONDAY_0859);
    await store.addUnanswered({
      at: '2026-11-28T00:00:00.000Z',
      outcome: 'no-guidance',
      text: 'Can we fly a drone at the festival?',
      closestEntryId: 'travel-devices',
      closestScore: 2,
    });
    await store.addUnanswered({
      at: '2026-11-29T00:00:00.000Z',
      outcome: 'no-guidance',
      text: 'can we fly drones at the festival',
      closestEntryId: 'travel-devices',
      closestScore: 3,
    });
    await store.addFeedback({
      at: '2026-11-20T00:00:00.000Z',
      user: 'u',
      entryId: 'gifts-koha',
      helpful: false,
    });
    const scheduler = new Scheduler({
      store,
      clock,
      logger: silentLogger(),
      notifiers,
      curation: { digest: make(clock, store) },
    });
    expect(await scheduler.tick()).toBe(0);
    expect(web.calls).toEqual([]);
    clock.advance(60_000);
    // Two ticks at once: the second waits for the first, and sends nothing more.
    await Promise.all([scheduler.tick(), scheduler.tick()]);
    // A second digest over the same store (another replica, or a second timer) sends nothing either.
    expect(await make(clock, store).tick()).toBe(0);
    expect(web.calls.map((c) => c.to).sort()).toEqual(['cara', 'kiri']);
    const text = web.delivered('cara')[0]!;
    expect(text).toContain('Weekly guidance digest');
    expect(text).toContain('2 questions in 1 group');
    expect(text).toContain('closest entry: Phones and laptops on overseas trips');
    expect(text).toContain('Gifts, koha and hospitality: 1 Not helpful');
    // The digest names topics, never a question's words verbatim.
    expect(text).not.toContain('Can we fly a drone at the festival?');

    // Restart on Wednesday: a new process, the same data folder.
    await store.close();
    clock.advance(2 * 24 * HOUR);
    store = await FileStore.open(dir);
    expect(await make(clock, store).tick()).toBe(0);
    expect(web.calls).toHaveLength(2);

    // The next Monday at 09:00 the next week's digest goes out.
    clock.advance(5 * 24 * HOUR);
    expect(await make(clock, store).tick()).toBe(2);
    expect(web.calls).toHaveLength(4);
  });

  it('sends the week’s digest late after a restart, and retries a curator whose delivery failed', async () => {
    const clock = fixedClock(new Date(MONDAY_0900.getTime() + 30 * HOUR));
    web.failNext(1, 'kiri');
    const digest = make(clock, store, false);
    expect(await digest.tick()).toBe(1);
    expect(web.delivered('cara')[0]).toContain('not recorded (RECORD_UNANSWERED is off)');
    clock.advance(60_000);
    expect(await digest.tick()).toBe(1);
    expect(await digest.tick()).toBe(0);
    expect(web.delivered('kiri')).toHaveLength(1);
    expect(web.attempts('kiri')).toBe(2);
  });

  it('waits for a curator whose platforms are all off yet', async () => {
    const only = new Map<Platform, Notifier>();
    const clock = fixedClock(MONDAY_0900);
    const digest = new CuratorDigest({
      store,
      knowledge,
      clock,
      logger: silentLogger(),
      notifiers: only,
      curators,
      recording: true,
    });
    expect(await digest.tick()).toBe(0);
    const slack = new FakeNotifier('slack');
    only.set('slack', slack);
    expect(await digest.tick()).toBe(1);
    expect(slack.delivered('U0KIRI')).toHaveLength(1);
  });
});
