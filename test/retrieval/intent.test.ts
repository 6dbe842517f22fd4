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
