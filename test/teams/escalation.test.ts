import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReferenceStore } from '../../adapters/teams/references.js';
import { silentLogger } from '../../src/logger.js';
import { type ConnectorCall, cardsOf, cardText } from './connector.js';
import { activities, BACKUP, CONTACT, startTeams, type TeamsHarness } from './harness.js';
import { allCardProblems } from './validate.js';

let h: TeamsHarness | undefined;
afterEach(async () => {
  if (h) expect(allCardProblems(h.stub.calls.map((c) => c.body))).toEqual([]);
  await h?.close();
  h = undefined;
});

const reporter = { id: '29:user-reporter', name: 'Tama' };
const convOf = (u: { id: string }) => encodeURIComponent(`a:personal-${u.id}`);
const textOf = (c: ConnectorCall) => cardsOf(c.body).map(cardText).join('\n');

async function turn(activity: any): Promise<ConnectorCall[]> {
  const from = h!.stub.calls.length;
  const res = await h!.post(activity);
  expect(res.status).toBe(200);
  return h!.stub.since(from);
}

/** Runs the report form to the end; resolves with the calls of the final turn. */
async function report(a: ReturnType<typeof activities>, what: string): Promise<ConnectorCall[]> {
  for (const text of ['report', what, 'Last Tuesday', 'A delegation member'])
    await turn(a.text(reporter, text));
  const last = h!.stub.posts().at(-1)!;
  const input = cardsOf(last.body)[0]
    .body.flatMap((e: any) => [e, ...(e.items ?? [])])
    .find((e: any) => e.type === 'Input.ChoiceSet');
  return turn(
    a.submit(reporter, last.id!, {
      actionId: 'checklist:answer',
      input: input.id,
      [input.id]: 'info-asked=yes',
    }),
  );
}

async function activeCases(dataDir: string): Promise<any[]> {
  return JSON.parse(await readFile(join(dataDir, 'cases', 'active.json'), 'utf8')).cases;
}

const buttonsOf = (call: ConnectorCall) =>
  cardsOf(call.body)
    .flatMap((c: any) => c.body)
    .filter((e: any) => e.type === 'ActionSet')
    .flatMap((e: any) => e.actions);

describe('escalation through Teams', () => {
  it('sends the case to the contact, who acknowledges and resolves it; the reporter is told', async () => {
    h = await startTeams();
    const a = activities(h.stub.url);
    // The contact installs the bot: a welcome, and a reference saved durably.
    const install = await turn(a.install(CONTACT));
    expect(textOf(install[0]!)).toMatch(/Kia ora/);
    const saved = JSON.parse(await readFile(join(h.dataDir, 'teams-references.json'), 'utf8'));
    expect(saved.users[CONTACT.id].conversation.id).toBe(`a:personal-${CONTACT.id}`);

    const calls = await report(
      a,
      'Someone asked about the <at>Mayor</at> and [port plans](https://evil.example)',
    );
    const toContact = calls.find(
      (c) => c.path === `/v3/conversations/${convOf(CONTACT)}/activities`,
    );
    expect(toContact, 'a proactive POST without replyToId').toBeDefined();
    expect(toContact!.body.replyToId).toBeUndefined();
    const card = textOf(toContact!);
    expect(card).toMatch(/New case SC-2026-0001 for the security contact/);
    expect(card).toContain('Tama (teams)');
    // Reporter text can be neither a link nor a mention in the contact's card.
    expect(card).not.toContain('[port plans](https://evil.example)');
    expect(card).not.toContain('<at>');
    expect(buttonsOf(toContact!).map((b: any) => b.title)).toEqual(
      expect.arrayContaining(['Acknowledge', 'Ask for information', 'Resolve']),
    );
    const toReporter = calls.filter((c) =>
      c.path.startsWith(`/v3/conversations/${convOf(reporter)}/`),
    );
    expect(toReporter.map(textOf).join('\n')).toMatch(
      /security contact has been notified \(case SC-2026-0001\)/,
    );

    // Acknowledge, pressed on the proactive card.
    const ack = buttonsOf(toContact!).find((b: any) => b.title === 'Acknowledge');
    const acked = await turn(a.submit(CONTACT, toContact!.id!, ack.data));
    const put = acked.find((c) => c.method === 'PUT');
    expect(put?.path).toBe(`/v3/conversations/${convOf(CONTACT)}/activities/${toContact!.id}`);
    expect(textOf(put!)).toContain('Answered: Acknowledge');
    const told = acked.find((c) => c.path === `/v3/conversations/${convOf(reporter)}/activities`);
    expect(textOf(told!)).toMatch(/picked up case SC-2026-0001/);
    const contactReplies = acked.filter(
      (c) => c.method === 'POST' && c.path.includes(convOf(CONTACT)),
    );
    expect(contactReplies.map(textOf).join('\n')).toMatch(/Case SC-2026-0001 acknowledged/);

    // Resolve, from the fresh case card: a prompt for a note, then the typed note.
    const fresh = contactReplies.at(-1)!;
    const resolve = buttonsOf(fresh).find((b: any) => b.title === 'Resolve');
    const prompted = await turn(a.submit(CONTACT, fresh.id!, resolve.data));
    expect(prompted.map(textOf).join('\n')).toMatch(/Add a short outcome note/);
    const done = await turn(a.text(CONTACT, 'Spoke with them; no further action needed.'));
    expect(
      done
        .filter((c) => c.path.includes(convOf(CONTACT)))
        .map(textOf)
        .join('\n'),
    ).toMatch(/Case SC-2026-0001 resolved/);
    const resolved = done.find(
      (c) => c.path === `/v3/conversations/${convOf(reporter)}/activities`,
    );
    expect(textOf(resolved!)).toMatch(/resolved case SC-2026-0001\. Outcome: Spoke with them/);
    const audit = (await h.advisor.store.readAudit()).map((e) => e.type);
    expect(audit).toEqual(expect.arrayContaining(['case-raised', 'case-ack', 'case-resolve']));
  });

  it('retries through the outbox when the connector fails, and loses nothing', {
    timeout: 40_000,
  }, async () => {
    h = await startTeams();
    const a = activities(h.stub.url);
    await turn(a.install(CONTACT));
    const contactPath = `/v3/conversations/${convOf(CONTACT)}/activities`;
    let failures = 0;
    h.stub.fail = (c) => {
      const hit = c.method === 'POST' && c.path === contactPath;
      if (hit) failures++;
      return hit;
    };
    const calls = await report(a, 'A visitor photographed the water treatment plant plans');
    expect(calls.map(textOf).join('\n')).toMatch(/couldn't reach your security contact just now/);
    // The first attempt (botbuilder retries the 500 itself) ends as a recorded failure.
    await expect
      .poll(async () => (await activeCases(h!.dataDir))[0]?.notifications[0]?.attempts, {
        timeout: 15_000,
      })
      .toBe(1);
    const [pending] = await activeCases(h.dataDir);
    expect(pending.notifications[0]).toMatchObject({ status: 'pending', user: { id: CONTACT.id } });
    expect(pending.notifications[0].lastError).toMatch(/HTTP 500/);
    expect(h.stub.calls.some((c) => c.path === contactPath)).toBe(false);

    // The connector recovers; the next scheduler tick after the backoff delivers the case.
    h.stub.fail = undefined;
    h.clock.advance(60_000);
    await h.advisor.scheduler.tick();
    const delivered = h.stub.calls.filter((c) => c.path === contactPath);
    expect(delivered).toHaveLength(1);
    expect(textOf(delivered[0]!)).toContain(
      'A visitor photographed the water treatment plant plans',
    );
    const [after] = await activeCases(h.dataDir);
    expect(after.notifications[0]).toMatchObject({
      status: 'sent',
      attempts: 2,
      messageId: delivered[0]!.id,
    });
    expect(failures).toBeGreaterThanOrEqual(1);
  });
});

describe('the Teams notifier', () => {
  const channel = '19:security-team@thread.tacv2';
  const note = (text: string) => [
    { kind: 'notice' as const, blocks: [{ type: 'notice' as const, tone: 'info' as const, text }] },
  ];

  it('posts to TEAMS_NOTIFY_CHANNEL when a contact has no personal chat', async () => {
    h = await startTeams({ settings: { notifyChannel: channel } });
    const a = activities(h.stub.url);
    await turn(a.addToTeam(CONTACT, channel));
    const result = await h.teams.notifier.notify(
      { platform: 'teams', id: BACKUP.id, name: BACKUP.name },
      note('Case SC-1'),
    );
    expect(result).toEqual({ ok: true, messageId: expect.stringMatching(/^stub-/) });
    const post = h.stub.calls.at(-1)!;
    expect(post.path).toBe(`/v3/conversations/${encodeURIComponent(channel)}/activities`);
    expect(textOf(post)).toMatch(/For Bea Backup: they have no personal chat/);
    expect(textOf(post)).toContain('Case SC-1');
  });

  it('builds the channel reference from a known service URL when none is stored', async () => {
    h = await startTeams({ settings: { notifyChannel: channel } });
    await turn(activities(h.stub.url).text(reporter, 'hi'));
    const result = await h.teams.notifier.notify(
      { platform: 'teams', id: BACKUP.id },
      note('Case SC-2'),
    );
    expect(result.ok).toBe(true);
    expect(h.stub.calls.at(-1)!.path).toBe(
      `/v3/conversations/${encodeURIComponent(channel)}/activities`,
    );
  });

  it('reports why it cannot deliver, so the outbox retries and falls back to the backup', async () => {
    h = await startTeams();
    expect(await h.teams.notifier.notify({ platform: 'teams', id: BACKUP.id }, note('x'))).toEqual({
      ok: false,
      error: expect.stringMatching(
        /no personal chat with Teams user 29:contact-backup.*TEAMS_NOTIFY_CHANNEL is not set/,
      ),
    });
    expect(await h.teams.notifier.notify({ platform: 'slack', id: 'U1' }, note('x'))).toMatchObject(
      { ok: false },
    );
  });

  it('keeps references across restarts, and forgets a user who removes the app', async () => {
    h = await startTeams();
    const a = activities(h.stub.url);
    await turn(a.install(CONTACT));
    await h.teams.close();
    const reopened = await ReferenceStore.open(h.dataDir, silentLogger());
    expect(reopened.forUser(CONTACT.id)?.serviceUrl).toBe(h.stub.url);
    await turn({
      ...a.install(CONTACT),
      membersAdded: undefined,
      membersRemoved: [{ id: '28:bot-app-id' }],
    });
    expect(
      await h.teams.notifier.notify({ platform: 'teams', id: CONTACT.id }, note('x')),
    ).toMatchObject({ ok: false });
  });
});
