import { describe, expect, it } from 'vitest';
import { IntentModel } from '../../src/retrieval/intent.js';

/** The classifier reads a rare or unknown word as a commoner one a typo away. */
const examples = [
  ...Array.from({ length: 4 }, (_, i) => ({
    text: `gift from the delegation ${i}`,
    label: 'gifts',
  })),
  ...Array.from({ length: 4 }, (_, i) => ({
    text: `follow the procedure for reporting ${i}`,
    label: 'reporting',
  })),
  { text: 'phone photos abroad', label: 'devices' },
  { text: 'phone photos overseas', label: 'devices' },
  { text: 'phone photos travel', label: 'devices' },
  { text: 'phone photos hotel', label: 'devices' },
];
const correct = (model: IntentModel, term: string) =>
  (model as unknown as { correct(t: string): string | undefined }).correct(term);

describe('typo correction in the intent classifier', () => {
  const model = new IntentModel(examples);

  it('corrects one edit in a mid-length word and two in a long one', () => {
    expect(correct(model, 'phtoo')).toBeUndefined(); // two edits in a 5-letter word
    expect(correct(model, 'photoz')).toBe('photo');
    expect(correct(model, 'delegatoin')).toBe('delegation');
    expect(model.predict('gift from the delegatoin').get('gifts')).toBeCloseTo(
      model.predict('gift from the delegation').get('gifts') ?? 0,
      12,
    );
  });

  it('never reaches further than that', () => {
    // "brochure" is three edits from "procedure", "promo" two from "photo": left as they are.
    expect(correct(model, 'brochure')).toBeUndefined();
    expect(correct(model, 'promo')).toBeUndefined();
  });

  it('leaves short words, numbers and words it knows alone', () => {
    expect(correct(model, 'gitf')).toBeUndefined();
    expect(correct(model, 'phot0s')).toBeUndefined();
    expect(correct(model, 'delegation')).toBeUndefined();
  });
});

describe('a model that shares a base model’s word list', () => {
  // The gap classifier learns the plain one's examples plus more: it searches the plain one's
  // word list for typos and keeps only its extra words, with the same corrections as its own.
  const extra = [
    { text: 'prosecutions so far under the interference offence', label: 'gap' },
    { text: 'prosecutions so far this year', label: 'gap' },
    { text: 'delegates prosecutions totals', label: 'gap' },
  ];
  const base = new IntentModel(examples);
  const shared = new IntentModel([...examples, ...extra], [], undefined, base);
  const alone = new IntentModel([...examples, ...extra]);

  it('corrects every word as a model with its own list does', () => {
    for (const t of ['photoz', 'delegatoin', 'prosecutoin', 'interferance', 'phtoo', 'hotels'])
      expect(correct(shared, t)).toBe(correct(alone, t));
    expect(correct(shared, 'prosecutoin')).toBe('prosecution'); // a word only the extra examples have
    expect(shared.predict('how many prosecutoins so far')).toEqual(
      alone.predict('how many prosecutoins so far'),
    );
  });

  type Inner = { w: { first: number; counts: Uint32Array; vocabulary: { ids: Uint32Array } } };
  const weights = (m: IntentModel) => (m as unknown as Inner).w;
  const inTable = (m: IntentModel) => weights(m).vocabulary.ids.filter((id) => id > 0).length;

  it('keeps only the features the base lacks in a table of its own, and predicts the same', () => {
    expect(weights(shared).first).toBe(weights(base).counts.length);
    expect(inTable(shared)).toBe(weights(alone).counts.length - weights(base).counts.length);
    expect(inTable(alone)).toBe(weights(alone).counts.length);
    for (const q of ['gift from the delegation', 'prosecutions so far', 'phone photos', 'nothing'])
      expect(shared.predict(q)).toEqual(alone.predict(q));
  });

  it('keeps a whole table when the base’s examples do not come first', () => {
    const other = new IntentModel([...extra, ...examples], [], undefined, base);
    expect(weights(other).first).toBe(0);
    expect(inTable(other)).toBe(weights(other).counts.length);
    expect(other.predict('gift from the delegation').get('gifts')).toBeGreaterThan(0.5);
  });

  it('keeps only the words the base lacks', () => {
    correct(shared, 'photoz');
    const own = (shared as unknown as { wordMap?: { size: number } }).wordMap?.size ?? 0;
    const all = (alone as unknown as { w: { vocabulary: { words: string[] } } }).w.vocabulary.words;
    expect(own).toBeGreaterThan(0);
    expect(own).toBeLessThan(all.length);
  });
});
