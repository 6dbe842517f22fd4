import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Case } from '../../src/escalation/case.js';
import type { ContactAction } from '../../src/escalation/service.js';
import type { Reply } from '../../src/model.js';
import { replyToPlain } from '../../src/replies.js';
import {
  BACKENDS,
  BACKUP,
  type Backend,
  DAY,
  HOUR,
  input,
  makeService,
  PRIMARY,
  REPORTER,
  STRANGER,
} from './helpers.js';

const ID = 'SC-2026-0001';
const ACTIONS: ContactAction[] = ['ack', 'info', 'resolve', 'close', 'backup'];
const text = (replies: Reply[]) => replies.map(replyToPlain).join('\n\n');

describe.each(Object.keys(BACKENDS) as (keyof typeof BACKENDS)[])(
  'CaseService actions (%s storage)',
  (kind) => {
    let b: Backend;
    let s: ReturnType<typeof makeService>;
    beforeEach(async () => {
      b = await BACKENDS[kind]();
      s = makeService(b);
      await s.service.escalate(input());
    });
    afterEach(async () => {
      await b.close();
    });
    const get = async (id = ID) => (await b.cases.get(id)) as Case;
    const events = async (type: string) =>
      (await get()).history.filter((e) => e.type === type).length;
    const audits = async (type: string) =>
      (await b.store.readAudit()).filter((e) => e.type === type);

    it('refuses anyone who is not a configured contact, and records who tried what', async () => {
      for (const action of ACTIONS) {
        const replies = await s.service.act(STRANGER, action, ID, 'let me in');
        expect(text(replies)).toMatch(/^You're not authorised to act on security cases\./);
      }
      // The same id on the command line, or on another platform, is not the contact.
      await s.service.act({ platform: 'cli', id: 'sec' }, 'ack', ID);
      await s.service.act({ platform: 'slack', id: 'sec' }, 'ack', ID);
      const c = await get();
      expect(c.status).toBe('new');
      // One event per actor per case, with a count and every action tried.
      const attempts = c.history.filter((e) => e.type === 'unauthorised-attempt');
      expect(attempts.map((e) => [e.actor, e.note, e.count])).toEqual([
        ['web:-:mallory', ACTIONS.join(', '), ACTIONS.length],
        ['cli:-:sec', 'ack', 1],
        ['slack:-:sec', 'ack', 1],
      ]);
      expect((await audits('case-unauthorised')).map((e) => [e.actor, e.data])).toEqual([
        ['web:-:mallory', { caseId: ID, action: 'ack', count: 1 }],
        ['cli:-:sec', { caseId: ID, action: 'ack', count: 1 }],
        ['slack:-:sec', { caseId: ID, action: 'ack', count: 1 }],
      ]);
      // Nobody was told anything, and no case of any id is confirmed to exist.
      expect(c.notifications).toHaveLength(1);
      const unknown = await s.service.act(STRANGER, 'ack', 'SC-2026-9999');
      expect(text(unknown)).toMatch(/not authorised/);
      expect(await audits('case-unauthorised')).toHaveLength(4);
    });

    it('2,000 presses by a stranger add one history entry and four audit lines', async () => {
      const size = async () => JSON.stringify(await get()).length;
      await s.service.act(STRANGER, 'ack', ID);
      const after1 = await size();
      for (let i = 1; i < 2000; i++) await s.service.act(STRANGER, i % 2 ? 'ack' : 'close', ID);
      const [attempt, ...more] = (await get()).history.filter(
        (e) => e.type === 'unauthorised-attempt',
      );
      expect(more).toEqual([]);
      expect(attempt).toMatchObject({ actor: 'web:-:mallory', count: 2000, note: 'ack, close' });
      expect((await size()) - after1).toBeLessThan(50);
      expect((await audits('case-unauthorised')).map((e) => e.data?.count)).toEqual([
        1, 10, 100, 1000,
      ]);
      // On an id that is not an open case, the count is kept in memory, and audited the same way.
      for (let i = 0; i < 20; i++) await s.service.act(STRANGER, 'ack', 'SC-2026-9999');
      expect(
        (await audits('case-unauthorised'))
          .filter((e) => e.data?.caseId === 'SC-2026-9999')
          .map((e) => e.data?.count),
      ).toEqual([1, 10]);
    });

    it('acknowledging is idempotent, even for a double click', async () => {
      const [first, second] = await Promise.all([
        s.service.act(PRIMARY, 'ack', ID),
        s.service.act(PRIMARY, 'ack', ID),
      ]);
      expect(text(first!)).toContain(`Case ${ID} acknowledged. The reporter has been told.`);
      expect(text(second!)).toMatch(new RegExp(`^Case ${ID} was already acknowledged at 2:00`));
      expect(text(await s.service.act(BACKUP, 'ack', ID))).toMatch(/already acknowledged/);
      expect(await events('acknowledged')).toBe(1);
      expect(await audits('case-ack')).toHaveLength(1);
      expect(s.notifier.delivered('aroha')).toEqual([
        `Your security contact has picked up case ${ID}.`,
      ]);
      const c = await get();
      expect(c.status).toBe('acknowledged');
      expect(c.nextReminderAt).toBeUndefined();
    });

    it('request for information and the reporter reply make a round trip', async () => {
      await s.service.act(PRIMARY, 'ack', ID);
      const empty = await s.service.act(PRIMARY, 'info', ID);
      expect(text(empty)).toBe('Please write the question for the reporter.');
      const asked = await s.service.act(PRIMARY, 'info', ID, 'Who else was at the dinner?');
      expect(text(asked)).toContain('Your question has been sent to the reporter.');
      expect((await get()).status).toBe('info-requested');
      const question = s.notifier.delivered('aroha').at(-1);
      expect(question).toBe(
        `Your security contact has a question about case ${ID}.\n\n“Who else was at the dinner?”\n\n- Reply`,
      );
      // Someone else cannot answer for the reporter.
      const forged = await s.service.reply(STRANGER, ID, 'Nobody');
      expect(text(forged)).toBe(`I couldn't find case ${ID}.`);
      const answered = await s.service.reply(REPORTER, ID, 'Two councillors and the mayor');
      expect(text(answered)).toBe(
        `Thanks. Your reply has been added to case ${ID} and sent to your security contact.`,
      );
      const c = await get();
      expect(c.status).toBe('acknowledged');
      expect(c.history.at(-1)).toMatchObject({
        type: 'info-provided',
        actor: 'web:-:aroha',
        note: 'Two councillors and the mayor',
      });
      const toContact = s.notifier.delivered('sec').at(-1) ?? '';
      expect(toContact).toMatch(new RegExp(`^The reporter replied on case ${ID}\\.`));
      expect(toContact).toContain('info requested: Who else was at the dinner?');
      expect(toContact).toContain('info provided: Two councillors and the mayor');
      expect(toContact).not.toContain('Nobody');
    });

    it('resolving tells the reporter the outcome; closing works without a note', async () => {
      const done = await s.service.act(PRIMARY, 'resolve', ID, 'Briefed the councillor.');
      expect(text(done)).toContain(`Case ${ID} resolved. The reporter has been told.`);
      expect(s.notifier.delivered('aroha')).toEqual([
        `Your security contact has resolved case ${ID}. Outcome: Briefed the councillor. Thank you for raising it.`,
      ]);
      const c = await get();
      expect(c).toMatchObject({ status: 'resolved', closedAt: '2026-11-27T01:00:00.000Z' });
      // Delivered, so it has left the active cases.
      expect(await b.cases.getActive(ID)).toBeUndefined();
      await s.service.escalate(input());
      await s.service.act(BACKUP, 'close', 'SC-2026-0002');
      expect(s.notifier.delivered('aroha').at(-1)).toBe(
        'Your security contact has closed case SC-2026-0002 with no further action needed. Thank you for raising it.',
      );
    });

    it('actions on a finished case are refused politely and change nothing', async () => {
      await s.service.act(PRIMARY, 'resolve', ID);
      const before = await get();
      for (const action of ACTIONS) {
        const replies = await s.service.act(PRIMARY, action, ID, 'again');
        expect(text(replies)).toBe(`Case ${ID} is already resolved.`);
      }
      expect(text(await s.service.act(STRANGER, 'close', ID))).toMatch(/not authorised/);
      expect(await get()).toEqual(before);
      expect(text(await s.service.act(PRIMARY, 'ack', 'SC-2026-0404'))).toBe(
        "I couldn't find case SC-2026-0404.",
      );
    });

    it('a reply to a finished case whose message is still being sent is refused', async () => {
      s.notifier.down.add('aroha');
      await s.service.act(PRIMARY, 'resolve', ID);
      const replies = await s.service.reply(REPORTER, ID, 'One more thing');
      expect(text(replies)).toBe(`Case ${ID} is already resolved, so I couldn't add your reply.`);
    });

    // BUG (src/escalation/service.ts, reply(): `this.deps.cases.getActive(caseId)`): once the
    // resolution has been delivered the case is archived, so a reporter who presses an old
    // Reply button is told "I couldn't find case SC-...", as if it never existed, instead of
    // the "already resolved" message the code has for this. Fix: look the case up with
    // `cases.get()` (the reporter check and the isFinal branch already follow).
    it('a reply to a resolved, archived case says it is resolved', async () => {
      await s.service.act(PRIMARY, 'resolve', ID);
      const replies = await s.service.reply(REPORTER, ID, 'One more thing');
      expect(text(replies)).toBe(`Case ${ID} is already resolved, so I couldn't add your reply.`);
    });

    it('handing to the backup: the backup is told, reminders follow the case', async () => {
      const replies = await s.service.act(PRIMARY, 'backup', ID);
      expect(text(replies)).toContain(`Case ${ID} handed to the backup contact.`);
      expect(s.notifier.delivered('sec-backup')).toEqual([
        expect.stringMatching(new RegExp(`^Case ${ID} has been handed to you by Sam Security\\.`)),
      ]);
      expect(text(await s.service.act(BACKUP, 'backup', ID))).toBe(
        `Case ${ID} is already with the backup contact.`,
      );
      expect(await events('handed-to-backup')).toBe(1);
      s.clock.advance(HOUR);
      await s.service.tick();
      expect(s.notifier.delivered('sec-backup').at(-1)).toMatch(/^Reminder: case/);
    });

    it('list: open cases with age for a contact, own cases for a reporter, nothing for others', async () => {
      await s.service.escalate(input({ reporter: { platform: 'web', id: 'tui', name: 'Tui' } }));
      await s.service.escalate(input({ summary: 'Second report' }));
      await s.service.act(PRIMARY, 'close', 'SC-2026-0003');
      s.clock.advance(3 * HOUR);
      const forContact = text(await s.service.list(PRIMARY));
      expect(forContact).toContain('Open cases (2)');
      expect(forContact).toContain(
        `- ${ID}: new, raised 3 hours ago by Aroha (web). Report a concern RP-2026-0001`,
      );
      expect(forContact).toContain('- SC-2026-0002: new, raised 3 hours ago by Tui (web).');
      expect(forContact).not.toContain('SC-2026-0003');
      expect(text(await s.service.list(BACKUP))).toContain('Open cases (2)');
      const forReporter = text(await s.service.list(REPORTER));
      expect(forReporter).toContain('Your cases (2)');
      expect(forReporter.indexOf('SC-2026-0003')).toBeLessThan(forReporter.indexOf(ID));
      expect(forReporter).toContain('SC-2026-0003: closed with no action, raised 3 hours ago.');
      expect(forReporter).not.toContain('SC-2026-0002');
      expect(text(await s.service.list(STRANGER))).toBe("You haven't raised any cases.");
    });

    it('show: full card for a contact, the reporter view for the reporter, nothing for others', async () => {
      await s.service.act(STRANGER, 'ack', ID);
      await s.service.act(PRIMARY, 'info', ID, 'When was this?');
      const card = text(await s.service.show(PRIMARY, ID));
      expect(card).toContain(`Case ${ID}, more information requested.`);
      expect(card).toContain('In their words: A visitor asked for the port expansion plans.');
      const mine = text(await s.service.show(REPORTER, ID));
      expect(mine).toContain(`Case ${ID}: more information requested, raised 27 November 2026.`);
      expect(mine).toContain('info requested (“When was this?”)');
      expect(mine).not.toMatch(/unauthorised|mallory/i);
      const refused = `I couldn't find case ${ID}.`;
      expect(text(await s.service.show(STRANGER, ID))).toBe(refused);
      expect(text(await s.service.show({ platform: 'slack', id: 'aroha' }, ID))).toBe(refused);
      expect(text(await s.service.show(STRANGER, 'SC-2026-0404'))).toBe(
        "I couldn't find case SC-2026-0404.",
      );
    });

    it('purge deletes finished cases past retention and audits it', async () => {
      await s.service.act(PRIMARY, 'resolve', ID);
      await s.service.escalate(input()); // stays open
      s.clock.advance(729 * DAY);
      expect(await s.service.purge(730)).toBe(0);
      s.clock.advance(2 * DAY);
      expect(await s.service.purge(730)).toBe(1);
      expect(await b.cases.get(ID)).toBeUndefined();
      expect(await b.cases.get('SC-2026-0002')).toBeDefined();
      expect(await s.service.purge(730)).toBe(0);
      const purged = await audits('cases-purged');
      expect(purged).toHaveLength(1);
      expect(purged[0]?.data).toMatchObject({ count: 1 });
      expect(text(await s.service.show(REPORTER, ID))).toBe(`I couldn't find case ${ID}.`);
    });
  },
);
