/** Curated questions the guidance does not answer: a question worded like one is likely a gap too. */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Knowledge, loadKnowledge } from '../../src/knowledge/index.js';
import { Retriever } from '../../src/retrieval/index.js';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';

const GAP = 'how many koha has the council declared in total since 2021';

let base: Knowledge;
let without: Retriever;
let withGap: Retriever;
beforeAll(async () => {
  base = await loadKnowledge(FIXTURE_KNOWLEDGE);
  without = new Retriever({ ...base, uncovered: [] });
  withGap = new Retriever({ ...base, uncovered: [GAP] });
});

describe('the closest known gap', () => {
  it('measures how much of a question a curated uncovered question covers', () => {
    const q = 'how many koha has our council declared since 2021, in total?';
    expect(without.search(q).features?.uncovered).toBe(0);
    const near = withGap.search(q);
    expect(near.features?.uncovered).toBeGreaterThan(0.5);
    // Same ranking, less confidence: the gap weighs against answering, not against the entry.
    expect(near.top?.entry.id).toBe(without.search(q).top?.entry.id);
    expect(near.confidence).toBeLessThan(without.search(q).confidence);
  });

  it('does not count a gap that asks more than the question against it', () => {
    const longer = new Retriever({
      ...base,
      uncovered: [
        'is there a maximum group size for registering a delegation of 46 on safe travel',
      ],
    });
    const plain = longer.search('register with safe travel');
    expect(plain.features?.uncovered).toBeLessThan(0.5);
    expect(plain.answered).toBe(without.search('register with safe travel').answered);
    // The same question as the gap still matches it closely.
    expect(
      longer.search('maximum group size for registering our delegation of 46 on safe travel?')
        .features?.uncovered,
    ).toBeGreaterThan(0.6);
  });

  it('leaves a question unlike any gap as it was', () => {
    const q = 'should I wipe my laptop before the trip to China?';
    const a = without.search(q);
    const b = withGap.search(q);
    expect(b.features?.uncovered).toBeLessThan(0.3);
    expect(b.top?.entry.id).toBe(a.top?.entry.id);
    expect(b.answered).toBe(a.answered);
  });
});

describe('the gap-aware classifier', () => {
  /** Known gaps that share a way of asking: totals and counts nobody has published. */
  const GAPS = [
    'how many koha has the council declared in total since 2021',
    'what is the total value of all the gifts declared so far this year',
    'how many gifts in total has the mayor declared since 2020',
    'total number of presents declared by councillors so far',
  ];

  it('is 1 when there are no known gaps', () => {
    expect(without.search('can I accept a gift from a visiting delegation?').features?.notGap).toBe(
      1,
    );
  });

  it('reads a question worded like the gaps as likelier a gap than the entry', () => {
    const gaps = new Retriever({ ...base, uncovered: GAPS });
    const gapLike = gaps.search('how many gifts have councillors declared in total so far?');
    const plain = gaps.search('can I accept a gift from a visiting delegation?');
    expect(gapLike.top?.entry.id).toBe('gifts-koha');
    expect(plain.top?.entry.id).toBe('gifts-koha');
    expect(gapLike.features?.notGap).toBeLessThan(0.5);
    expect(plain.features?.notGap).toBeGreaterThan(0.5);
    // The ranking is the plain classifier's: the gaps change only this signal.
    expect(gapLike.hits.map((h) => h.entry.id)).toEqual(
      without
        .search('how many gifts have councillors declared in total so far?')
        .hits.map((h) => h.entry.id),
    );
  });
});
