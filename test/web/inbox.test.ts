import { afterEach, describe, expect, it } from 'vitest';
import { WebInbox } from '../../adapters/web/inbox.js';
import type { Reply } from '../../src/model.js';
import { type ApiReply, Chat } from '../checklist/helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const note = (text: string): Reply => ({
  kind: 'notice',
  blocks: [{ type: 'notice', tone: 'info', text }],
});
const aroha = { platform: 'web' as const, id: 'aroha' };

describe('WebInbox.update', () => {
  it('replaces a message in place and streams the change as a numbered update', async () => {
    const inbox = new WebInbox();
    const sent = await inbox.notify(aroha, [note('Case SC-1: new.')]);
    expect(sent).toEqual({ ok: true, messageId: 'web-1' });
    const seen: [number, number | undefined][] = [];
    const stop = inbox.subscribe('aroha', (m) => seen.push([m.id, m.replaces]));
    expect(await inbox.update(aroha, 'web-1', [note('Case SC-1: acknowledged.')])).toEqual({
      ok: true,
      messageId: 'web-1',
    });
    stop();
    expect(seen).toEqual([
      [1, undefined],
      [2, 1],
    ]);
    // A page that reconnects after message 1 gets the update; a new page, the new content.
    const replay: number[] = [];
    inbox.subscribe('aroha', (m) => replay.push(m.id), 1)();
    expect(replay).toEqual([2]);
    const fresh = new WebInbox();
    await fresh.notify(aroha, [note('Case SC-1: new.')]);
    await fresh.update(aroha, 'web-1', [note('Case SC-1: acknowledged.')]);
    const { messages, updates } = fresh.drain('aroha');
    expect(messages.map((m) => m.reply)).toEqual([note('Case SC-1: acknowledged.')]);
    expect(updates.map((m) => m.replaces)).toEqual([1]);
    expect(fresh.drain('aroha')).toEqual({ messages: [], updates: [] });
  });

  it('refuses an id it did not issue, or anything but one reply', async () => {
    const inbox = new WebInbox();
    await inbox.notify(aroha, [note('One.')]);
    for (const [id, replies] of [
      ['slack-1', [note('x')]],
      ['web-1', []],
      ['web-1', [note('x'), note('y')]],
    ] as const) {
      expect((await inbox.update(aroha, id, [...replies])).ok).toBe(false);
    }
  });

  it('drops a reply from a response when that same content was just redrawn in place', async () => {
    const inbox = new WebInbox();
    await inbox.notify(aroha, [note('Case SC-1: new.')]);
    const before = inbox.lastId();
    await inbox.update(aroha, 'web-1', [note('Case SC-1: acknowledged.')]);
    const done = note('Case SC-1 acknowledged. The reporter has been told.');
    expect(inbox.withoutUpdated('aroha', before, [done, note('Case SC-1: acknowledged.')])).toEqual(
      [done],
    );
    // Only this user's updates, and only those since the mark, count.
    expect(inbox.withoutUpdated('tui', before, [note('Case SC-1: acknowledged.')])).toHaveLength(1);
    expect(
      inbox.withoutUpdated('aroha', inbox.lastId(), [note('Case SC-1: acknowledged.')]),
    ).toHaveLength(1);
  });
});

describe('a case worked by a web contact', () => {
  let s: TestServer;
  afterEach(async () => {
    await s.close();
  });

  /** GET /api/inbox, as a page without EventSource polls it. */
  async function poll(userId: string): Promise<{ messages: any[]; updates: any[] }> {
    const res = await fetch(new URL(`/api/inbox?userId=${userId}`, s.url));
    expect(res.status).toBe(200);
    return res.json();
  }

  it('updates the case message in place and answers each action with one line', async () => {
    s = await startTestServer();
    const staff = new Chat(s, 'aroha');
    const contact = new Chat(s, 'security-contact');
    await staff.say('report');
    for (const answer of [
      'A delegation member asked me for the port expansion plans.',
      'At the dinner last Tuesday',
      'A member of the visiting delegation',
      'yes',
    ])
      await staff.say(answer);
    const first = await poll('security-contact');
    expect(first.updates).toEqual([]);
    const [card] = first.messages;
    expect(card.text).toMatch(/^New case SC-2026-0001 for the security contact\./);
    expect(card.id).toEqual(expect.any(Number));

    const one = (replies: ApiReply[]) => replies.map((r) => [r.kind, r.text]);
    expect(one(await contact.press('case:ack', 'SC-2026-0001'))).toEqual([
      ['notice', 'Case SC-2026-0001 acknowledged. The reporter has been told.'],
    ]);
    const afterAck = await poll('security-contact');
    expect(afterAck.messages).toEqual([]);
    expect(afterAck.updates).toEqual([
      expect.objectContaining({ replaces: card.id, kind: 'notice' }),
    ]);
    expect(afterAck.updates[0].text).toMatch(/^Case SC-2026-0001: acknowledged\./);
    expect(afterAck.updates[0].actions.map((a: any) => a.label)).not.toContain('Acknowledge');

    await contact.press('case:resolve', 'SC-2026-0001');
    expect(one(await contact.say('Spoke with them; no further action.'))).toEqual([
      ['notice', 'Case SC-2026-0001 resolved. The reporter has been told.'],
    ]);
    const afterResolve = await poll('security-contact');
    expect(afterResolve.updates.map((u) => u.replaces)).toEqual([card.id]);
    expect(afterResolve.updates[0].text).toMatch(/^Case SC-2026-0001: resolved\./);
    // The reporter hears each change as one line of its own, as before.
    expect((await poll('aroha')).messages.map((m) => m.text)).toEqual([
      'Your security contact has picked up case SC-2026-0001.',
      'Your security contact has resolved case SC-2026-0001. Outcome: Spoke with them; no further action. Thank you for raising it.',
    ]);
  });

  it('streams an update as an "update" event naming the message it replaces', async () => {
    s = await startTestServer();
    const sent = await s.inbox.notify({ platform: 'web', id: 'u20' }, [note('Case SC-9: new.')]);
    const controller = new AbortController();
    const res = await fetch(new URL('/api/events?userId=u20', s.url), {
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    let text = '';
    const read = async (until: string) => {
      while (!text.includes(until)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await read('event: message');
    await s.inbox.update({ platform: 'web', id: 'u20' }, sent.ok ? sent.messageId! : '', [
      note('Case SC-9: acknowledged.'),
    ]);
    await read('acknowledged.');
    controller.abort();
    const events = [...text.matchAll(/^id: (\d+)\nevent: (\w+)\ndata: (.*)$/gm)].map((m) => ({
      id: Number(m[1]),
      event: m[2],
      data: JSON.parse(m[3]!),
    }));
    expect(events.map((e) => [e.event, e.data.text, e.data.replaces])).toEqual([
      ['message', 'Case SC-9: new.', undefined],
      ['update', 'Case SC-9: acknowledged.', events[0]!.id],
    ]);
  });
});
