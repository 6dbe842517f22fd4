import { beforeAll, describe, expect, it } from 'vitest';
import { type Knowledge, loadKnowledge } from '../../src/knowledge/index.js';
import {
  answerReply,
  noGuidanceReply,
  replyToPlain,
  smallTalkReply,
  topicsOf,
} from '../../src/replies.js';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';

let k: Knowledge;
beforeAll(async () => {
  k = await loadKnowledge(FIXTURE_KNOWLEDGE);
});

describe('neutral replies', () => {
  it('an answer carries the entry, its sources, the review date and feedback buttons', () => {
    const entry = k.byId.get('safetravel')!;
    const related = [{ entry: k.byId.get('travel-devices')!, score: 1, coverage: 1 }];
    const reply = answerReply(entry, related, { today: '2026-11-27' });
    expect(reply.kind).toBe('answer');
    expect(reply.blocks.map((b) => b.type)).toEqual([
      'paragraph',
      'sources',
      'buttons',
      'buttons',
      'paragraph',
      'buttons',
    ]);
    expect(reply.blocks[1]).toEqual({
      type: 'sources',
      sources: entry.sources,
      reviewed: '2026-01-10',
    });
    const feedback = reply.blocks[2];
    expect(feedback?.type === 'buttons' && feedback.buttons.map((b) => b.value)).toEqual([
      'up:safetravel',
      'down:safetravel',
    ]);
    expect(replyToPlain(reply)).toContain('- Phones and laptops on overseas trips');
  });

  it('flags an answer whose review-by date has passed', () => {
    const reply = answerReply(k.byId.get('safetravel')!, [], { today: '2027-02-01' });
    expect(replyToPlain(reply)).toContain('This guidance was due for review on 10 January 2027.');
  });

  it('a refusal lists the topics and offers a weak match only as a suggestion', () => {
    const weak = { entry: k.byId.get('gifts-koha')!, score: 2, coverage: 0.4 };
    const reply = noGuidanceReply(k, weak);
    const text = replyToPlain(reply);
    expect(text).toMatch(/don't have guidance on that/);
    expect(text).toContain('- gifts, hospitality and koha');
    expect(text).toContain(
      'The closest guidance I have, in case it helps:\n\n- Gifts, koha and hospitality',
    );
    expect(reply.blocks.some((b) => b.type === 'sources')).toBe(false);
    expect(topicsOf(k)).toHaveLength(6);
  });

  it('formats partial and missing source dates the NZ way', () => {
    const entry = {
      ...k.byId.get('safetravel')!,
      sources: [
        { title: 'T', publisher: 'P', url: 'https://x.nz', date: 'undated' },
        { title: 'U', publisher: 'Q', url: 'https://y.nz', date: '2024-10-08' },
      ],
    };
    const text = replyToPlain(answerReply(entry, [], { today: '2026-11-27' }));
    expect(text).toContain('- T, P, undated: https://x.nz');
    expect(text).toContain('- U, Q, 8 October 2024: https://y.nz');
  });

  it('small talk explains what the bot does', () => {
    expect(replyToPlain(smallTalkReply('greeting'))).toMatch(/^Kia ora! I'm Sister City Advisor/);
  });
});
