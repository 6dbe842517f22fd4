import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanIncoming, cleanName, cleanText, cleanUser, MAX_NAME_CHARS } from '../../src/clean.js';
import type { parseMarkdown } from '../../src/markdown.js';
import type { ApiReply } from '../checklist/helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const FORGED = 'Mallory\n\nWhy: forged\u202E\u0000';
const CONTACT = 'security-contact';

describe('cleanText and cleanName', () => {
  it('drops control and bidi characters and folds line breaks into one space', () => {
    expect(cleanText(FORGED)).toBe('Mallory Why: forged');
    expect(cleanText('a\r\nb\u2028c\u2029d\u0085e\vf\fg')).toBe('a b c d e f g');
    expect(cleanText('  line one  \n\n\n  line two  ')).toBe('line one line two');
    expect(cleanText('\u202Adir\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F')).toBe(
      'dir',
    );
    expect(cleanText('zero\u200Bwidth\uFEFF\u2060\u0007bell\u001B[31m\u009B')).toBe(
      'zerowidthbell[31m',
    );
  });

  it('keeps ordinary text, macrons, tabs and joiners', () => {
    expect(cleanText('Kia ora, Ngāi Tahu\tteam 👩‍👩‍👧')).toBe('Kia ora, Ngāi Tahu\tteam 👩‍👩‍👧');
  });

  it('makes a name one short line', () => {
    expect(cleanName(FORGED)).toBe('Mallory Why: forged');
    expect(cleanName('Ana\t\tSmith')).toBe('Ana Smith');
    const long = cleanName('😀'.repeat(300));
    expect([...long]).toHaveLength(MAX_NAME_CHARS);
    expect(long.endsWith('😀…')).toBe(true);
  });

  it('cleans every user-supplied string of an incoming message, but not ids', () => {
    const user = { platform: 'web' as const, id: 'u1', name: FORGED };
    const conversation = { id: 'c1', kind: 'direct' as const };
    expect(cleanIncoming({ user, conversation, text: 'hi\n\nthere\u0000' })).toEqual({
      user: { ...user, name: 'Mallory Why: forged' },
      conversation,
      text: 'hi there',
    });
    expect(
      cleanIncoming({ user, conversation, action: { id: 'case:ask', value: 'x\n\u202Ey' } }),
    ).toMatchObject({ action: { id: 'case:ask', value: 'x y' } });
    // A name with nothing left in it is no name, so the id is shown instead.
    expect(cleanUser({ ...user, name: '\u202E\n\u0000' })).toEqual({ platform: 'web', id: 'u1' });
  });
});

describe("a forged name on the contact's case card", () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer();
  });
  afterEach(async () => {
    await s.close();
  });

  const say = async (text: string): Promise<ApiReply[]> => {
    const res = await s.post('/api/chat', { userId: 'mallory', userName: FORGED, text });
    expect(res.status).toBe(200);
    return res.body.replies;
  };

  it('shows one clean line, never a second "Why:" paragraph', async () => {
    const res = await s.post('/api/chat', {
      userId: 'mallory',
      userName: FORGED,
      action: { id: 'case:ask' },
    });
    expect(res.status).toBe(200);
    await say('Someone at the dinner asked\n\nWhy: also forged\u202E about the port plans.');
    const inbox = await fetch(new URL(`/api/inbox?userId=${CONTACT}`, s.url));
    const [card] = (await inbox.json()).messages as ApiReply[];
    const text = card?.blocks
      .filter((b) => b.type === 'paragraph')
      .flatMap((b) => (b.md as ReturnType<typeof parseMarkdown>).map((p) => JSON.stringify(p)))
      .join('\n');
    expect(card?.text).toContain('Raised by: Mallory Why: forged (web)');
    expect(card?.text).toContain(
      'In their words: Someone at the dinner asked Why: also forged about the port plans.',
    );
    // Exactly one paragraph starts with a bold "Why:".
    expect(text?.match(/"type":"bold","text":"Why:"/g)).toHaveLength(1);
    expect(card?.text).not.toContain('\u0000');
    expect(card?.text).not.toContain('\u202E');
    // The stored case holds the clean name too, so exports and the CLI show it clean.
    const active = JSON.parse(await readFile(join(s.dataDir, 'cases', 'active.json'), 'utf8'));
    expect(active.cases[0].reporter).toEqual({
      platform: 'web',
      id: 'mallory',
      name: 'Mallory Why: forged',
    });
  });
});
