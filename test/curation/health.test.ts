import { beforeAll, describe, expect, it } from 'vitest';
import { knowledgeHealth } from '../../src/curation/index.js';
import { type Knowledge, loadKnowledge } from '../../src/knowledge/index.js';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';

let knowledge: Knowledge;
beforeAll(async () => {
  knowledge = await loadKnowledge(FIXTURE_KNOWLEDGE);
});

describe('knowledge health', () => {
  it('lists entries past and near their review-by date, and those with no primary source', () => {
    // Every fixture entry is due 2027-01-10 and cites only example.org.
    const before = knowledgeHealth(knowledge, [], new Date('2026-11-27T01:00:00Z'));
    expect(before.overdue).toEqual([]);
    expect(before.dueSoon).toEqual([]);
    expect(before.noPrimarySource).toHaveLength(knowledge.entries.length);
    const near = knowledgeHealth(knowledge, [], new Date('2026-12-20T01:00:00Z'));
    expect(near.dueSoon).toHaveLength(knowledge.entries.length);
    expect(near.dueSoon[0]?.daysLeft).toBe(21);
    const past = knowledgeHealth(knowledge, [], new Date('2027-01-12T01:00:00Z'));
    expect(past.overdue[0]).toMatchObject({ reviewBy: '2027-01-10', daysLeft: -2 });
  });

  it('counts Helpful and Not helpful per entry, with a trend over the last 30 days', () => {
    const now = new Date('2026-11-27T01:00:00Z');
    const day = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();
    const fb = (d: number, entryId: string, helpful: boolean) => ({
      at: day(d),
      user: 'u',
      entryId,
      helpful,
    });
    const health = knowledgeHealth(
      knowledge,
      [
        fb(1, 'gifts-koha', false),
        fb(2, 'gifts-koha', false),
        fb(40, 'gifts-koha', false),
        fb(3, 'gifts-koha', true),
        fb(35, 'safetravel', false),
        fb(36, 'safetravel', false),
        fb(5, 'safetravel', true),
        fb(90, 'removed-entry', false),
      ],
      now,
    );
    expect(health.feedback.map((f) => [f.id, f.helpful, f.notHelpful, f.trend])).toEqual([
      ['gifts-koha', 1, 3, 'rising'],
      ['safetravel', 1, 2, 'falling'],
      ['removed-entry', 0, 1, 'steady'],
    ]);
    expect(health.feedback[0]).toMatchObject({
      title: 'Gifts, koha and hospitality',
      recent: { helpful: 1, notHelpful: 2 },
      previous: { helpful: 0, notHelpful: 1 },
    });
    expect(health.feedback[2]?.title).toBe('removed-entry');
  });
});
