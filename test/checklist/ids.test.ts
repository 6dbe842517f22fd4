import { spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import type { Case } from '../../src/escalation/case.js';
import { FileCaseStore } from '../../src/escalation/case-store.js';
import { FileStore } from '../../src/storage/index.js';
import { rawIds } from '../escalation/fixtures/tally.js';
import { FakeNotifier } from '../escalation/helpers.js';
import { flowRig, type Kind, playToEnd, userOf } from './driver.js';
import { fixtureContent, START, tempDir } from './helpers.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** Starts the bot's storage on `dir`, lets one user finish a run, and stops. */
async function finishRun(dir: string, userId: string, kind: Kind): Promise<void> {
  const content = await fixtureContent();
  const store = await FileStore.open(dir);
  try {
    const { flow } = flowRig({
      content,
      store,
      cases: await FileCaseStore.open(dir),
      clock: fixedClock(START),
      notifier: new FakeNotifier(),
    });
    await playToEnd(flow, store, content.checklists, userOf(userId), kind);
  } finally {
    await store.close();
  }
}

/** `cases export --format json` from the real CLI. */
function exportCases(dir: string): Case[] {
  const out = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'cases', 'export', '--format', 'json'],
    { env: { ...process.env, DATA_DIR: dir }, encoding: 'utf8', timeout: 20_000 },
  );
  expect(out.status, out.stderr).toBe(0);
  return JSON.parse(out.stdout);
}

const caseIds = (cases: Case[]) => cases.map((c) => [c.id, c.reporter.id, c.recordId]);

describe('ids are never reused when state.json is lost or replaced', () => {
  it('deleted between two runs: the second run gets new ids, and cases export keeps both', async () => {
    const dir = await tempDir('sca-ids-');
    dirs.push(dir);
    await finishRun(dir, 'aroha', 'risky');
    await rm(join(dir, 'state.json'));
    await finishRun(dir, 'mere', 'risky');
    expect(await rawIds(join(dir, 'trips.jsonl'))).toEqual(['TR-2026-0001', 'TR-2026-0002']);
    expect(caseIds(exportCases(dir))).toEqual([
      ['SC-2026-0001', 'aroha', 'TR-2026-0001'],
      ['SC-2026-0002', 'mere', 'TR-2026-0002'],
    ]);
  });

  it('replaced with an older copy: new ids are above every existing one', async () => {
    const dir = await tempDir('sca-ids-');
    dirs.push(dir);
    await finishRun(dir, 'aroha', 'risky');
    const older = await readFile(join(dir, 'state.json'), 'utf8');
    await finishRun(dir, 'aroha', 'report');
    await finishRun(dir, 'mere', 'risky');
    await writeFile(join(dir, 'state.json'), older);
    await finishRun(dir, 'tama', 'report');
    await finishRun(dir, 'tama', 'risky');
    expect(await rawIds(join(dir, 'trips.jsonl'))).toEqual([
      'TR-2026-0001',
      'RP-2026-0001',
      'TR-2026-0002',
      'RP-2026-0002',
      'TR-2026-0003',
    ]);
    const cases = await FileCaseStore.open(dir).then((s) => s.listAll());
    expect(caseIds(cases)).toEqual([
      ['SC-2026-0001', 'aroha', 'TR-2026-0001'],
      ['SC-2026-0002', 'aroha', 'RP-2026-0001'],
      ['SC-2026-0003', 'mere', 'TR-2026-0002'],
      ['SC-2026-0004', 'tama', 'RP-2026-0002'],
      ['SC-2026-0005', 'tama', 'TR-2026-0003'],
    ]);
  });
});
