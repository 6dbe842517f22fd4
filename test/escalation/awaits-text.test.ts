import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { MemoryCaseStore } from '../../src/escalation/case-store.js';
import { CaseConversation } from '../../src/escalation/conversation.js';
import { loadKnowledge } from '../../src/knowledge/index.js';
import { silentLogger } from '../../src/logger.js';
import type { Incoming, Reply } from '../../src/model.js';
import { MemoryStore } from '../../src/storage/index.js';
import { input, makeService, PRIMARY, REPORTER, START, STRANGER } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/knowledge', import.meta.url));

describe('replies say when the bot awaits free text', () => {
  it('is set on every prompt for a note, a question or a reply, and on nothing else', async () => {
    const store = new MemoryStore();
    const cases = new MemoryCaseStore();
    const { service } = makeService({ cases, store });
    const conversation = new CaseConversation({
      store,
      clock: fixedClock(START),
      logger: silentLogger(),
      knowledge: await loadKnowledge(FIXTURE),
      escalator: service,
      cases: service,
    });
    const { id } = await service.escalate(input());
    const press = (user: Incoming['user'], actionId: string, value = id): Promise<Reply[]> =>
      conversation.onAction(
        { user, conversation: { id: 'd', kind: 'direct' }, action: { id: actionId, value } },
        { id: actionId, value },
      );
    const awaits = (replies: Reply[]) => replies.map((r) => r.awaitsText === true);

    expect(awaits(await press(PRIMARY, 'case:info'))).toEqual([true]);
    expect(awaits(await press(PRIMARY, 'case:resolve'))).toEqual([true]);
    expect(awaits(await press(PRIMARY, 'case:close'))).toEqual([true]);
    expect(awaits(await press(REPORTER, 'case:reply'))).toEqual([true]);
    expect(awaits(await press(REPORTER, 'case:ask', ''))).toEqual([true]);
    // Anyone else is refused at once: nothing waits for their text.
    expect(awaits(await press(STRANGER, 'case:info'))).toEqual([false]);
    expect(awaits(await press(PRIMARY, 'case:cancel'))).toEqual([false]);
    expect((await press(PRIMARY, 'case:ack')).some((r) => r.awaitsText)).toBe(false);
  });
});
