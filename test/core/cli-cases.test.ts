import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { type CaseStore, FileCaseStore } from '../../src/escalation/case-store.js';
import { PgCaseStore } from '../../src/escalation/pg-case-store.js';
import { CaseService } from '../../src/escalation/service.js';
import { silentLogger } from '../../src/logger.js';
import type { Notifier } from '../../src/model.js';
import { FileStore, type Store } from '../../src/storage/index.js';
import { PgStore } from '../../src/storage/pg/index.js';
import { pgSkipReason, pgSuiteTitle, usePostgres } from '../helpers/pg-cluster.js';

const contact = { platform: 'web' as const, id: 'security-contact', name: 'Sam' };
const reporter = { platform: 'web' as const, id: 'aroha', name: 'Aroha' };

/** Runs the CLI with `env` added to (or, for undefined values, removed from) this environment. */
function run(args: string[], env: Record<string, string | undefined>) {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: merged as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

/** The contacts file names the backup, whom no case mentions. */
async function writeContacts(dir: string): Promise<void> {
  await writeFile(
    join(dir, 'contacts.yaml'),
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
}

/** Two cases raised in 2020 (so a retention purge has something to remove) and audit notes. */
async function fill(store: Store, cases: CaseStore): Promise<void> {
  const notifier: Notifier = { platform: 'web', notify: async () => ({ ok: true }) };
  const service = new CaseService({
    cases,
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
}

/** The same commands and the same output, whichever store holds the records. */
function cliSuite(
  setup: () => Promise<{ env: Record<string, string | undefined>; cleanup(): Promise<unknown> }>,
) {
  let env: Record<string, string | undefined> = {};
  let cleanup: () => Promise<unknown> = async () => undefined;
  beforeAll(async () => {
    ({ env, cleanup } = await setup());
  }, 60_000);
  afterAll(() => cleanup());
  const cli = (args: string[]) => run(args, env);

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
}

describe('cases CLI on the file store', () => {
  cliSuite(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sca-cli-cases-'));
    await writeContacts(dataDir);
    const store = await FileStore.open(dataDir);
    await fill(store, await FileCaseStore.open(dataDir));
    await store.close();
    return {
      env: {
        DATA_DIR: dataDir,
        CONTACTS_FILE: join(dataDir, 'contacts.yaml'),
        DATABASE_URL: undefined,
      },
      cleanup: () => rm(dataDir, { recursive: true, force: true }),
    };
  });
});

describe.skipIf(pgSkipReason)(pgSuiteTitle('cases CLI on PostgreSQL'), () => {
  const db = usePostgres();
  let emptyDir: string;
  cliSuite(async () => {
    // DATA_DIR is an empty folder: with DATABASE_URL set, nothing may come from (or go to) it.
    emptyDir = await mkdtemp(join(tmpdir(), 'sca-cli-cases-pg-'));
    const contactsDir = await mkdtemp(join(tmpdir(), 'sca-cli-contacts-'));
    await writeContacts(contactsDir);
    const { url, drop } = await db.fresh();
    const store = await PgStore.open(url);
    await fill(store, new PgCaseStore(store.pool));
    await store.close();
    return {
      env: {
        DATA_DIR: emptyDir,
        CONTACTS_FILE: join(contactsDir, 'contacts.yaml'),
        DATABASE_URL: url,
      },
      cleanup: async () => {
        await drop();
        await rm(emptyDir, { recursive: true, force: true });
        await rm(contactsDir, { recursive: true, force: true });
      },
    };
  });

  it('leaves DATA_DIR alone', async () => {
    expect(await readdir(emptyDir)).toEqual([]);
  });

  it('says clearly when the database cannot be reached, or has no tables', async () => {
    // Port 1 on loopback: nothing listens there.
    const down = run(['cases', 'list'], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/advisor',
      DATA_DIR: emptyDir,
    });
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(
      /^\[storage_unavailable\] DATABASE_URL is set, so the cases and the audit log are read from PostgreSQL, but the database at 127\.0\.0\.1:1\/advisor could not be used \(ECONNREFUSED/,
    );
    expect(down.stderr).toContain('Check that the server is running');
    expect(down.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const purge = run(['cases', 'purge', '--days', '30'], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/advisor',
      DATA_DIR: emptyDir,
    });
    expect(purge.status).toBe(1);
    expect(purge.stderr).toMatch(/^\[storage_unavailable\] DATABASE_URL is set/);
    const { url, drop } = await db.fresh();
    try {
      const empty = run(['audit', 'export'], { DATABASE_URL: url, DATA_DIR: emptyDir });
      expect(empty.status).toBe(1);
      expect(empty.stderr).toContain('has no Sister City Advisor tables yet');
      expect(empty.stdout).toBe('');
    } finally {
      await drop();
    }
    expect(existsSync(join(emptyDir, 'cases'))).toBe(false);
  });
});
