import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REFERENCES_FILE, ReferenceStore } from '../../adapters/teams/references.js';
import { silentLogger } from '../../src/logger.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sca-teams-refs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const personal = (i: number) =>
  ({
    type: 'message',
    id: `act-${i}`,
    channelId: 'msteams',
    serviceUrl: 'http://127.0.0.1:9/',
    from: { id: `29:user-${i}`, name: `User ${i}` },
    recipient: { id: '28:bot', name: 'Bot' },
    conversation: { id: `a:personal-${i}`, conversationType: 'personal', tenantId: 't1' },
  }) as Partial<Activity>;

const saved = async () => JSON.parse(await readFile(join(dir, REFERENCES_FILE), 'utf8'));

describe('ReferenceStore writes', () => {
  it('merges many lazy changes into few writes, and keeps every one', async () => {
    const refs = await ReferenceStore.open(dir, silentLogger());
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) writes.push(refs.remember(personal(i), { lazy: true }));
    // Every lazy change waiting for the same write gets the same promise.
    expect(new Set(writes).size).toBe(1);
    await refs.flush();
    const file = await saved();
    expect(Object.keys(file.users)).toHaveLength(200);
    expect(file.users['29:user-7'].conversation.id).toBe('a:personal-7');
    const reopened = await ReferenceStore.open(dir, silentLogger());
    expect(reopened.forUser('29:user-199')?.serviceUrl).toBe('http://127.0.0.1:9/');
  });

  it('writes an awaited change at once, with the lazy changes before it', async () => {
    const refs = await ReferenceStore.open(dir, silentLogger());
    void refs.remember(personal(1), { lazy: true });
    await refs.remember(personal(2));
    const file = await saved();
    expect(Object.keys(file.users).sort()).toEqual(['29:user-1', '29:user-2']);
  });

  it('writes one reference per line', async () => {
    const refs = await ReferenceStore.open(dir, silentLogger());
    await refs.remember(personal(1));
    await refs.remember(personal(2));
    const text = await readFile(join(dir, REFERENCES_FILE), 'utf8');
    expect(text.split('\n').filter((l) => l.includes('"29:user-'))).toHaveLength(2);
  });
});
