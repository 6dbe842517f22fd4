import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { assembleBot, type Content, loadContent } from '../../src/app.js';
import { fixedClock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import { MemoryStore } from '../../src/storage/index.js';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';

let content: Content;
beforeAll(async () => {
  content = await loadContent(FIXTURE_KNOWLEDGE);
});

async function logsFor(level: string, text: string): Promise<string> {
  let out = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  const bot = assembleBot({
    ...content,
    store: new MemoryStore(),
    logger: createLogger(level, sink),
    clock: fixedClock('2026-11-27T00:00:00Z'),
    maxMessageChars: 2000,
    settings: { expiryDays: 14, escalateWarnings: 3 },
  });
  await bot.handle({
    user: { platform: 'web', id: 'u1' },
    conversation: { id: 'c', kind: 'direct' },
    text,
  });
  return out;
}

describe('logging', () => {
  const secret = 'my colleague Mere keeps asking about the port koha';
  it('never logs message text at info level', async () => {
    const out = await logsFor('info', secret);
    expect(out).toMatch(/"msg":"(answered|no guidance)"/);
    expect(out).not.toContain('Mere');
  });
  it('logs message text at debug level, for troubleshooting', async () => {
    expect(await logsFor('debug', secret)).toContain('Mere');
  });
});
