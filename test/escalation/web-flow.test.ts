import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Case } from '../../src/escalation/case.js';
import { type ApiReply, answerAll, Chat, RISKY_OUTBOUND, textOf } from '../checklist/helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Escalation is on by default, with config/contacts.yaml: these are its web ids.
const CONTACT = 'security-contact';
const BACKUP = 'security-backup';
const HOUR = 3600_000;

let s: TestServer;
beforeEach(async () => {
  s = await startTestServer();
});
afterEach(async () => {
  await s.close();
});

/** Drains a user's web inbox, as the page does. */
async function inbox(userId: string): Promise<ApiReply[]> {
  const res = await fetch(new URL(`/api/inbox?userId=${userId}`, s.url));
  expect(res.status).toBe(200);
  return (await res.json()).messages;
}
/** The cases on disk, open and archived, as the bot stored them. */
async function casesOnDisk(): Promise<Case[]> {
  const active = JSON.parse(await readFile(join(s.dataDir, 'cases', 'active.json'), 'utf8'));
  return active.cases;
}
const button = (replies: ApiReply[], id: string) =>
  replies.flatMap((r) => r.actions).find((a) => a.id === id);

/** A staff member files the four-step report form; resolves with the case id. */
async function fileReport(chat: Chat): Promise<string> {
  const intro = await chat.say('report');
  expect(textOf(intro)).toContain('Report a concern');
  const done = await answerAll(chat, [
    'A delegation member asked me for the port expansion plans.',
    'At the dinner last Tuesday',
    'A member of the visiting delegation',
    'yes',
  ]);
  const m = /has been notified \(case (SC-2026-\d{4})\)/.exec(textOf(done));
  expect(m, textOf(done)).not.toBeNull();
  return m![1]!;
}

describe('cases end to end over the JSON API', () => {
  it('report, refused stranger, acknowledge, question and reply, resolve with a note', async () => {
    const staff = new Chat(s, 'aroha');
    const contact = new Chat(s, CONTACT);
    const mallory = new Chat(s, 'mallory');
    const id = await fileReport(staff);
    expect(id).toBe('SC-2026-0001');

    const [card, ...more] = await inbox(CONTACT);
    expect(more).toEqual([]);
    expect(card?.text).toMatch(new RegExp(`^New case ${id} for the security contact\\.`));
    expect(card?.text).toContain('HIGH: Information was asked for');
    expect(card?.text).toContain('What happened: A delegation member asked me for the port');
    expect(button([card!], 'case:ack')).toMatchObject({ label: 'Acknowledge', value: id });
    expect(await inbox(BACKUP)).toEqual([]);

    // A stranger replaying the button is refused, and the attempt is on the record.
    const refused = await mallory.press('case:ack', id);
    expect(textOf(refused)).toMatch(/not authorised to act on security cases/);
    expect(textOf(await mallory.press('case:resolve', id))).toMatch(/not authorised/);
    expect(await inbox('aroha')).toEqual([]);

    const acked = await contact.press('case:ack', id);
    expect(textOf(acked)).toContain(`Case ${id} acknowledged. The reporter has been told.`);
    expect(textOf(await inbox('aroha'))).toBe(`Your security contact has picked up case ${id}.`);

    const prompt = await contact.press('case:info', id);
    expect(textOf(prompt)).toMatch(/^What would you like to ask the reporter\?/);
    const asked = await contact.say('Who else was at the dinner?');
    expect(textOf(asked)).toContain('Your question has been sent to the reporter.');
    const question = await inbox('aroha');
    expect(textOf(question)).toContain(`Your security contact has a question about case ${id}.`);
    expect(textOf(question)).toContain('“Who else was at the dinner?”');
    expect(button(question, 'case:reply')).toMatchObject({ label: 'Reply', value: id });

    expect(textOf(await staff.press('case:reply', id))).toMatch(/^Type your reply/);
    const replied = await staff.say('Two councillors and the mayor.');
    expect(textOf(replied)).toBe(
      `Thanks. Your reply has been added to case ${id} and sent to your security contact.`,
    );
    const relayed = textOf(await inbox(CONTACT));
    expect(relayed).toMatch(new RegExp(`^The reporter replied on case ${id}\\.`));
    expect(relayed).toContain('info provided: Two councillors and the mayor.');

    expect(textOf(await contact.press('case:resolve', id))).toMatch(/^Add a short outcome note/);
    const resolved = await contact.say('Briefed the councillors; no further action.');
    expect(textOf(resolved)).toContain(`Case ${id} resolved. The reporter has been told.`);
    expect(textOf(await inbox('aroha'))).toBe(
      `Your security contact has resolved case ${id}. Outcome: Briefed the councillors; no further action. Thank you for raising it.`,
    );
    // Finished and delivered: archived, with the whole story in its history.
    expect(await casesOnDisk()).toEqual([]);
    const archived = (await readFile(join(s.dataDir, 'cases', 'archive', '2026-11.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Case);
    expect(archived.map((c) => c.id)).toEqual([id]);
    expect(archived[0]?.history.map((e) => `${e.type} ${e.actor}`)).toEqual([
      'raised web:-:aroha',
      'unauthorised-attempt web:-:mallory',
      `acknowledged web:-:${CONTACT}`,
      `info-requested web:-:${CONTACT}`,
      'info-provided web:-:aroha',
      `resolved web:-:${CONTACT}`,
    ]);
    expect(textOf(await staff.press('case:show', id))).toMatch(
      new RegExp(`^Case ${id}: resolved, raised 27 November 2026\\.`),
    );
    const audit = await s.advisor.store.readAudit();
    // Two presses by the same stranger: one event with a count, audited once.
    expect(archived[0]?.history.find((e) => e.type === 'unauthorised-attempt')).toMatchObject({
      count: 2,
      note: 'ack, resolve',
    });
    expect(audit.filter((e) => e.type === 'case-unauthorised')).toHaveLength(1);
    expect(textOf(await contact.press('case:ack', id))).toBe(`Case ${id} is already resolved.`);
  });

  it('"Ask the security contact" under an answer opens a question case in the user\'s words', async () => {
    const staff = new Chat(s, 'tui');
    const answer = await staff.say('What counts as foreign interference?');
    const ask = button(answer, 'case:ask');
    expect(ask).toMatchObject({ label: 'Ask the security contact', value: 'fi-definition' });
    const prompt = await staff.press('case:ask', ask!.value);
    expect(textOf(prompt)).toMatch(/What would you like to ask your council's security contact\?/);
    const words = 'A sponsor offered to pay for our mayor to visit. Is that interference?';
    const receipt = await staff.say(words);
    expect(textOf(receipt)).toContain('has been notified (case SC-2026-0001)');
    const [c] = await casesOnDisk();
    expect(c).toMatchObject({
      id: 'SC-2026-0001',
      source: 'question',
      details: words,
      summary: 'A question after reading "What counts as foreign interference"',
      reporter: { platform: 'web', id: 'tui' },
    });
    expect(textOf(await inbox(CONTACT))).toContain(`In their words: ${words}`);
  });

  it('a flagged pre-trip checklist (level 4 destination) opens a case for the contact', async () => {
    const staff = new Chat(s, 'hemi');
    await staff.say('pretrip');
    const summary = textOf(await answerAll(staff, RISKY_OUTBOUND));
    expect(summary).toMatch(/Some answers are high risk/);
    const m = /has been notified \(case (SC-2026-\d{4})\)/.exec(summary);
    expect(m, summary).not.toBeNull();
    const [c] = await casesOnDisk();
    expect(c).toMatchObject({ id: m![1], source: 'pretrip', recordId: 'TR-2026-0001' });
    expect(c?.flags.map((f) => f.id)).toContain('high-advisory');
    const card = textOf(await inbox(CONTACT));
    expect(card).toContain(`New case ${m![1]}`);
    expect(card).toContain('HIGH: High SafeTravel advisory level');
    expect(card).toContain('SafeTravel advisory level: 4 - Do not travel');
    const trip = await s.advisor.store.getTrip('TR-2026-0001');
    expect(trip?.escalationId).toBe(m![1]);
  });

  it('"cases": the contact sees open cases with their age; a reporter sees their own', async () => {
    const aroha = new Chat(s, 'aroha');
    const id1 = await fileReport(aroha);
    s.clock.advance(HOUR);
    const id2 = await fileReport(new Chat(s, 'tui'));
    s.clock.advance(2 * HOUR);
    const contact = new Chat(s, CONTACT);
    await contact.press('case:ack', id2);
    const list = await contact.say('cases');
    const text = textOf(list);
    expect(text).toContain('Open cases (2)');
    expect(text).toContain(`${id1}: new, raised 3 hours ago by aroha (web).`);
    expect(text).toContain(`${id2}: acknowledged, raised 2 hours ago by tui (web).`);
    expect(button(list, 'case:show')).toMatchObject({ value: id1 });
    const mine = textOf(await aroha.say('my cases'));
    expect(mine).toContain('Your cases (1)');
    expect(mine).toContain(`${id1}: new, raised 3 hours ago.`);
    expect(mine).not.toContain(id2);
    expect(textOf(await new Chat(s, 'mallory').press('case:show', id1))).toBe(
      `I couldn't find case ${id1}.`,
    );
  });
});
