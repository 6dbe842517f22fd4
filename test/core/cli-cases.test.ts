import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
    env: { ...process.env, DATA_DIR: dataDir, CONTACTS_FILE: join(dataDir, 'contacts.yaml') },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sca-cli-cases-'));
  // The contacts file names the backup, whom no case mentions.
  await writeFile(
    join(dataDir, 'contacts.yaml'),
    [
      'primary:',
      '  name: Sam Security',
      '  web: security-contact',
      'backup:',
      '  name: Bo Backup',
      '  web: security-backup',
      '',
    ].join('\n'),
  );
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
  await store.audit({
    at: '2020-03-03T02:00:00.000Z',
    type: 'note',
    actor: 'web:-:security-backup',
  });
  await store.audit({ at: '2020-03-03T03:00:00.000Z', type: 'note', actor: 'web:-:nobody' });
  await store.close();
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('cases CLI', () => {
  it('lists and shows cases in New Zealand time, with people by name', () => {
    const list = cli(['cases', 'list']);
    expect(list.status).toBe(0);
    // Raised at 01:00 UTC on 2 March 2020: 2 pm in New Zealand daylight time.
    expect(list.stdout).toMatch(
      /SC-2020-0001 +2020-03-02 14:00 NZDT +resolved .* report +Questions about the port/,
    );
    expect(list.stdout).toMatch(/SC-2020-0002 .* new .* question/);
    const show = cli(['cases', 'show', 'SC-2020-0001']).stdout;
    expect(show).toContain('Raised:    Mon 2 March 2020, 2:00 pm NZDT by Aroha (web)');
    expect(show).toContain(
      'Assigned:  the primary contact (Sam); acknowledge by Tue 3 March 2020, 10:00 am NZDT',
    );
    // The name the case recorded ("Sam") wins over the contacts file's.
    expect(show).toContain('Mon 2 March 2020, 2:00 pm NZDT: resolved by Sam (web): Passed on');
    expect(show).not.toMatch(/web:-:|\d\d:\d\d:\d\d/);
    expect(cli(['cases', 'show', 'SC-1999-0001']).status).toBe(1);
  });

  it('exports CSV that a spreadsheet cannot mistake for formulas, and JSON, with NZ offsets', () => {
    const csv = cli(['cases', 'export', '--format', 'csv']).stdout.split('\r\n');
    expect(csv[0]).toMatch(/^id,raised_at,source,status,/);
    expect(csv[1]).toMatch(/^SC-2020-0001,2020-03-02T14:00:00\+13:00,report,resolved,/);
    expect(csv[1]).toContain(`"'=HYPERLINK(""x"") asked, ""twice"""`);
    expect(csv[1]).toContain('2020-03-02T14:00:00+13:00 resolved by Sam (web)');
    const json = JSON.parse(cli(['cases', 'export', '--format', 'json']).stdout);
    expect(json.map((c: any) => c.id)).toEqual(['SC-2020-0001', 'SC-2020-0002']);
    expect(json[0]).toMatchObject({
      raisedAt: '2020-03-02T14:00:00+13:00',
      closedAt: '2020-03-02T14:00:00+13:00',
      reporter: { platform: 'web', id: 'aroha', name: 'Aroha' },
    });
    expect(json[0].history.at(-1)).toMatchObject({
      actor: 'web:-:security-contact',
      actorName: 'Sam (web)',
      type: 'resolved',
    });
    expect(JSON.stringify(json)).not.toMatch(/\d\dZ"/);
    expect(cli(['cases', 'export', '--format', 'xml']).status).toBe(2);
  });

  it('exports the audit log in NZ time, naming actors from the cases, then the contacts file', () => {
    const csv = cli(['audit', 'export']).stdout.split('\r\n');
    expect(csv[0]).toBe('at,type,actor,actor_id,data');
    expect(csv).toContain(
      '2020-03-02T14:00:00+13:00,case-raised,Aroha (web),web:-:aroha,"{""caseId"":""SC-2020-0001"",""source"":""report""}"',
    );
    expect(csv).toContain('2020-03-03T15:00:00+13:00,note,Bo Backup (web),web:-:security-backup,');
    // Nobody recorded a name for this key: it is shown as it is.
    expect(csv).toContain('2020-03-03T16:00:00+13:00,note,web:-:nobody,web:-:nobody,');
    const json = JSON.parse(cli(['audit', 'export', '--format', 'json']).stdout);
    expect(json.find((e: any) => e.type === 'case-resolve')).toMatchObject({
      at: '2020-03-02T14:00:00+13:00',
      actor: 'web:-:security-contact',
      actorName: 'Sam (web)',
    });
  });

  it('purges finished cases past the retention period, and only those', () => {
    const run = cli(['cases', 'purge', '--days', '30']);
    expect(run.stdout).toMatch(
      /Purged 1 finished case closed before \d{4}-\d\d-\d\d \d\d:\d\d NZ[DS]T\./,
    );
    const list = cli(['cases', 'list']).stdout;
    expect(list).not.toContain('SC-2020-0001');
    expect(list).toContain('SC-2020-0002');
    expect(cli(['audit', 'export']).stdout).toContain('cases-purged');
  });
});
