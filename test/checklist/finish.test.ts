import { describe, expect, it } from 'vitest';
import type { Content } from '../../src/app.js';
import { fixedClock } from '../../src/clock.js';
import { MemoryCaseStore } from '../../src/escalation/case-store.js';
import { MemoryStore } from '../../src/storage/index.js';
import { instrument, POINTS_OF, type Point } from '../escalation/fixtures/points.js';
import { tally } from '../escalation/fixtures/tally.js';
import { FakeNotifier, makeCase } from '../escalation/helpers.js';
import { flowRig, type Kind, playToEnd, SCRIPTS, userOf } from './driver.js';
import { fixtureContent, START } from './helpers.js';

/** Memory storage and the flow, with `failAt` making the request fail just after that write. */
function rig(content: Content, failAt?: { point: Point; nth: number }) {
  let seen = 0;
  const parts = instrument(
    { store: new MemoryStore(), cases: new MemoryCaseStore(), notifier: new FakeNotifier() },
    (p) => {
      if (p === failAt?.point && ++seen === failAt.nth) throw new Error(`failed after ${p}`);
    },
  );
  const { flow, service } = flowRig({ content, ...parts, clock: fixedClock(START) });
  return { ...parts, flow, service, failed: () => seen >= (failAt?.nth ?? Infinity) };
}

const clean = { duplicates: 0, orphans: 0, missing: 0, auditMismatches: 0, unfinished: 0 };

// A send that fails is a delivery failure the outbox retries, not an interrupted finish.
const interrupting = (kind: Kind) => POINTS_OF[kind].filter((p) => p !== 'send');

describe('finishing a run is idempotent (a request that fails after each write, then Continue)', () => {
  for (const kind of ['risky', 'safe', 'report'] as const) {
    it.each(interrupting(kind))(`${kind} run, failing after %s`, async (point) => {
      const content = await fixtureContent();
      const r = rig(content, { point, nth: 1 });
      const user = userOf('aroha');
      await expect(playToEnd(r.flow, r.store, content.checklists, user, kind)).rejects.toThrow(
        `failed after ${point}`,
      );
      expect(r.failed()).toBe(true);
      // The user comes back and presses Continue (answering the last step again if it was lost).
      await playToEnd(r.flow, r.store, content.checklists, user, kind);
      await r.service.deliverPending();
      const t = await tally([{ user, kind }], r.store, r.cases);
      expect(t).toEqual({ runs: 1, trips: 1, cases: kind === 'safe' ? 0 : 1, ...clean });
      expect((await r.cases.listActive()).flatMap((c) => c.notifications)).toMatchObject(
        kind === 'safe' ? [] : [{ kind: 'new-case', status: 'sent' }],
      );
    });
  }

  it('keeps the ids fixed at the commit, and finishing again changes no record', async () => {
    const content = await fixtureContent();
    const r = rig(content, { point: 'case', nth: 1 });
    const user = userOf('aroha');
    await playToEnd(r.flow, r.store, content.checklists, user, 'risky').catch(() => undefined);
    const [before] = await r.store.listTrips('web:-:aroha');
    expect(before).toMatchObject({ id: 'TR-2026-0001', escalationId: 'SC-2026-0001' });
    await playToEnd(r.flow, r.store, content.checklists, user, 'risky');
    expect(await r.store.listTrips('web:-:aroha')).toEqual([before]);
    expect((await r.cases.listAll()).map((c) => [c.id, c.recordId])).toEqual([
      ['SC-2026-0001', 'TR-2026-0001'],
    ]);
    expect((await r.store.listJobs()).map((j) => j.id)).toEqual(['debrief:TR-2026-0001']);
  });

  it('an interrupted finish: a question is answered with a Continue reminder; /report finishes it', async () => {
    const content = await fixtureContent();
    const r = rig(content, { point: 'trip', nth: 1 });
    const user = userOf('aroha');
    const conversation = { id: 'dm', kind: 'direct' as const };
    await playToEnd(r.flow, r.store, content.checklists, user, 'report').catch(() => undefined);
    const question = 'what is foreign interference?';
    expect(await r.flow.onText({ user, conversation, text: question }, question)).toBeUndefined();
    const reminder = await r.flow.reminder(user);
    expect(reminder?.blocks).toMatchObject([
      {
        text: 'Your report a concern was interrupted as it finished. Press Continue to finish it.',
      },
      { buttons: [{ id: 'checklist:continue', label: 'Continue' }] },
    ]);
    // Asking for the same checklist again finishes the interrupted one instead of a new run.
    const [summary, ...rest] = await r.flow.start({ user, conversation, text: 'report' }, 'report');
    expect(rest).toEqual([]);
    expect(JSON.stringify(summary)).toContain('RP-2026-0001');
    expect(await r.flow.hasRun(user)).toBe(false);
    const t = await tally([{ user, kind: 'report' }], r.store, r.cases);
    expect(t).toEqual({ runs: 1, trips: 1, cases: 1, ...clean });
  });

  it('never takes an id that a stored record or case already has', async () => {
    const content = await fixtureContent();
    const r = rig(content);
    const other = userOf('mere');
    // Records the counters do not know about (the memory store starts every counter at 0).
    const theirs = {
      id: 'TR-2026-0001',
      checklist: 'pretrip',
      user: other,
      createdAt: START,
      answers: {},
      summary: [],
      flags: [],
    };
    await r.store.addTrip(theirs);
    await r.cases.save(makeCase(1, { reporter: other, recordId: 'TR-2026-0001' }));
    const user = userOf('aroha');
    await playToEnd(r.flow, r.store, content.checklists, user, 'risky');
    expect(await r.store.listTrips('web:-:mere')).toEqual([theirs]);
    expect((await r.store.listTrips('web:-:aroha')).map((t) => t.id)).toEqual(['TR-2026-0002']);
    const cases = (await r.cases.listAll()).sort((a, b) => a.id.localeCompare(b.id));
    expect(cases.map((c) => [c.id, c.reporter.id, c.recordId])).toEqual([
      ['SC-2026-0001', 'mere', 'TR-2026-0001'],
      ['SC-2026-0002', 'aroha', 'TR-2026-0002'],
    ]);
  });

  it('a double click on the last answer finishes the run once', async () => {
    const content = await fixtureContent();
    const r = rig(content);
    const user = userOf('aroha');
    const conversation = { id: 'dm', kind: 'direct' as const };
    const say = (text: string) => r.flow.onText({ user, conversation, text }, text);
    await r.flow.start({ user, conversation, text: 'report' }, 'report');
    const { answers } = SCRIPTS.report;
    for (const step of ['what-happened', 'when', 'who']) await say(answers[step] ?? '');
    const [first, second] = await Promise.all([say('yes'), say('yes')]);
    expect(first?.[0]?.blocks.map((b) => ('text' in b ? b.text : '')).join(' ')).toContain(
      'RP-2026-0001',
    );
    // The second arrives after the run is gone, so it is not taken as an answer.
    expect(second).toBeUndefined();
    const t = await tally([{ user, kind: 'report' }], r.store, r.cases);
    expect(t).toEqual({ runs: 1, trips: 1, cases: 1, ...clean });
  });
});
