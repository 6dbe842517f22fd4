import { describe, expect, it } from 'vitest';
import { redactQuestion } from '../../src/curation/index.js';

describe('redactQuestion', () => {
  it.each([
    ['ring 021 555 0192 or 027-555-0192', 'ring [phone] or [phone]'],
    ['call +64 21 555 019 today', 'call [phone] today'],
    ['landline (09) 123 4567?', 'landline [phone]?'],
    ['mail aroha.p@council.govt.nz please', 'mail [email] please'],
    ['is https://example.com/a?b=1 legit', 'is [link] legit'],
    ['see www.example.org first', 'see [link] first'],
    ['ask @sam.jones or <@U12345>', 'ask [mention] or [mention]'],
    ['my name is Mere Smith, who checks gifts?', 'my name is [name], who checks gifts?'],
    [
      "I'm Aroha from the events team. Who checks gifts?",
      "I'm [name] from the events team. Who checks gifts?",
    ],
    ['Kia ora Sam, who checks gifts?', 'Kia ora [name], who checks gifts?'],
    [
      'Who checks gifts? Cheers, Aroha (governance) 027 555 0192',
      'Who checks gifts? Cheers [name]',
    ],
    ['Who checks gifts? Ngā mihi nui, Tama Ruru', 'Who checks gifts? Ngā mihi nui [name]'],
    ['Who checks gifts? - Sam Jones', 'Who checks gifts? - [name]'],
  ])('%s', (input, expected) => {
    expect(redactQuestion(input)).toBe(expected);
  });

  it('leaves a question without personal details alone', () => {
    for (const q of [
      'Hi team, what does NZSIS say about China in 2026?',
      'Thanks for the help, what about gifts worth $500?',
      'Can we fly a drone at the festival? Thanks heaps',
      'Section 12 of the 2019 act, page 300',
    ])
      expect(redactQuestion(q)).toBe(q);
  });
});
