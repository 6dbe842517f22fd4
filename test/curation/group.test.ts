import { describe, expect, it } from 'vitest';
import { groupQuestions, jaccard, questionTerms } from '../../src/curation/index.js';
import type { UnansweredQuestion } from '../../src/storage/index.js';

const q = (
  at: string,
  text: string,
  extra: Partial<UnansweredQuestion> = {},
): UnansweredQuestion => ({
  at: `2026-11-${at}T00:00:00.000Z`,
  outcome: 'no-guidance',
  text,
  ...extra,
});

describe('grouping unanswered questions', () => {
  it('compares term sets, ignoring placeholders, stop words and plurals', () => {
    const a = questionTerms('Can we fly drones at the [name] festival?');
    const b = questionTerms('can we fly a drone at the festival');
    expect(jaccard(a, b)).toBe(1);
    expect(jaccard(a, questionTerms('what about parking fines'))).toBe(0);
  });

  it('groups similar wordings and keeps different questions apart, deterministically', () => {
    const questions = [
      q('02', 'Can we fly a drone at the festival?', {
        closestEntryId: 'travel-devices',
        closestScore: 3,
      }),
      q('03', 'What are the parking rules for delegation buses?'),
      q('05', 'can we fly drones at the festival', {
        closestEntryId: 'travel-devices',
        closestScore: 5,
      }),
      q('06', 'Are drones allowed to fly at the festival?', {
        closestEntryId: 'gifts-koha',
        closestScore: 9,
      }),
      q('07', 'Is my neighbour a spy?', { outcome: 'declined', declinedKind: 'judging-people' }),
    ];
    const groups = groupQuestions(questions);
    const shuffled = groupQuestions([...questions].reverse());
    expect(shuffled).toEqual(groups);
    expect(groups.map((g) => g.count)).toEqual([3, 1, 1]);
    const drones = groups[0]!;
    expect(drones).toMatchObject({
      firstAt: '2026-11-02T00:00:00.000Z',
      lastAt: '2026-11-06T00:00:00.000Z',
      closestEntryId: 'travel-devices',
      closestScore: 5,
      outcomes: { 'no-guidance': 3, declined: 0 },
    });
    expect(drones.examples).toEqual([
      'Are drones allowed to fly at the festival?',
      'can we fly drones at the festival',
      'Can we fly a drone at the festival?',
    ]);
    expect(drones.terms).toContain('drone');
    const spy = groups.find((g) => g.outcomes.declined === 1);
    expect(spy?.declinedKinds).toEqual(['judging-people']);
    expect(spy?.closestEntryId).toBeUndefined();
  });

  it('a stricter threshold splits what a looser one joins', () => {
    const questions = [q('01', 'drone festival rules'), q('02', 'drone festival permit')];
    expect(groupQuestions(questions, 0.5)).toHaveLength(1);
    expect(groupQuestions(questions, 0.9)).toHaveLength(2);
  });
});
