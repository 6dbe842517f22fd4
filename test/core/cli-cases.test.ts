import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { FileCaseStore } from '../../src/escalation/case-store.js';
import { CaseService } from '../../src/escalation/service.js';
import { silentLogger } from '../../src/logger.js';
import type { Notifier } from '../../src/model.js';
import { FileStore } from '../../src/storage/index.js';

let dataDir: string;
const contact = { platform: 'web' as const, id: 'security-contact', name: 'Sam' };
const reporter = { platform: 'web' as const, id: 'aroha', name: 'Aroha' };

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sca-cli-cases-'));
  const store = await FileStore.open(dataDir);
  const notifier: Notifier = { platform: 'web', notify: async () => ({ ok: true }) };
  // Cases raised in 2020, so a retention purge has something to remove.
  const service = new CaseService({
    cases: await FileCaseStore.open(dataDir),
    store,
    contacts: {
      primary: { name: 'Sam', web: 'security-contact' },
      ackWorkingHours: 4,
      reminderMinutes: 60,
    },
    notifiers: new Map([['web', notifier]]),
    clock: fixedClock('2020-03-02T01:00:00Z'),
    logger: silentLogger(),
  });
  const a = await service.escalate({
    source: 'report',
    reporter,
    summary: 'Questions about the port',
    details: '=HYPERLINK("x") asked, "twice"',
    flags: [],
    answers: [],
  });
  await service.escalate({
    source: 'question',
    reporter,
    summary: 'A question',
    flags: [],
    answers: [],
  });
  await service.act(contact, 'resolve', a.id, 'Passed on');
  await store.close();
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('cases CLI', () => {
  it('lists and shows cases', () => {
    const list = cli(['cases', 'list']);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/SC-2020-0001 .* resolved .* report +Questions about the port/);
    expect(list.stdout).toMatch(/SC-2020-0002 .* new .* question/);
    const show = cli(['cases', 'show', 'SC-2020-0001']);
    expect(show.stdout).toContain('resolved by web:-:security-contact: Passed on');
    expect(cli(['cases', 'show', 'SC-1999-0001']).status).toBe(1);
  });

  it('exports CSV that a spreadsheet cannot mistake for formulas, and JSON', () => {
    const csv = cli(['cases', 'export', '--format', 'csv']).stdout.split('\r\n');
    expect(csv[0]).toMatch(/^id,raised_at,source,status,/);
    expect(csv[1]).toContain(`"'=HYPERLINK(""x"") asked, ""twice"""`);
    const json = JSON.parse(cli(['cases', 'export', '--format', 'json']).stdout);
    expect(json.map((c: any) => c.id)).toEqual(['SC-2020-0001', 'SC-2020-0002']);
    expect(cli(['cases', 'export', '--format', 'xml']).status).toBe(2);
  });

  it('exports the audit log', () => {
    const out = cli(['audit', 'export']).stdout;
    expect(out.split('\r\n')[0]).toBe('at,type,actor,data');
    expect(out).toContain('case-resolve');
  });

  it('purges finished cases past the retention period, and only those', () => {
    const run = cli(['cases', 'purge', '--days', '30']);
    expect(run.stdout).toContain('Purged 1 finished case closed before');
    const list = cli(['cases', 'list']).stdout;
    expect(list).not.toContain('SC-2020-0001');
    expect(list).toContain('SC-2020-0002');
    expect(cli(['audit', 'export']).stdout).toContain('cases-purged');
  });
});
