import { describe, expect, it } from 'vitest';
import { stripNoise } from '../../src/retrieval/index.js';

describe('stripNoise', () => {
  it.each([
    [
      'Kia ora, sorry to bother you, can I bring my council laptop to China? Cheers, Aroha (governance team) 027 555 0192',
      'can I bring my council laptop to China?',
    ],
    ["hi team - what's the koha limit? aroha.smith@council.govt.nz", "what's the koha limit?"],
    [
      'Mōrena! Quick question: do we register on SafeTravel for Japan? Ngā mihi, Sam Jones, International Relations',
      'do we register on SafeTravel for Japan?',
    ],
    [
      'Hi Sam, hope you are well. We are hosting a delegation in March, what should we watch for? Thanks heaps',
      'We are hosting a delegation in March, what should we watch for?',
    ],
    [
      'see https://www.nzsis.govt.nz/report for the report, what does it say about councils',
      'see for the report, what does it say about councils',
    ],
    ['is it ok to take gifts (04) 123-4567 - Mere', 'is it ok to take gifts'],
  ])('"%s" becomes the question alone', (raw, question) => {
    expect(stripNoise(raw)).toBe(question);
  });

  it('keeps years, amounts and the question words', () => {
    expect(stripNoise('In 1993 Invercargill twinned with Kumagaya, is that right?')).toBe(
      'In 1993 Invercargill twinned with Kumagaya, is that right?',
    );
    expect(stripNoise('is a $500 gift too much')).toBe('is a $500 gift too much');
  });

  it('leaves a message that is only pleasantries for small talk to answer', () => {
    expect(stripNoise('cheers')).toBe('cheers');
    expect(stripNoise('Kia ora')).toBe('Kia ora');
  });
  it("drops a pasted email's header block, keeping its subject's words and its body", () => {
    const pasted = [
      '---------- Forwarded message ---------',
      'From: Cr Jo Nelson <jo.nelson@example.govt.nz>',
      'Date: Mon, 1 Dec 2026 at 08:02',
      'To: International Relations',
      'Subject: hotel wifi',
      '',
      'Is it safe to use the hotel wifi in Suzhou for council email?',
    ].join('\n');
    expect(stripNoise(pasted)).toBe(
      'hotel wifi Is it safe to use the hotel wifi in Suzhou for council email?',
    );
    expect(stripNoise('On Tue, 2 Dec 2026 at 9:14, Sam wrote:\n> can we keep the vase?')).toBe(
      'can we keep the vase?',
    );
    // One "To:" or "From:" line alone is part of the question.
    for (const q of [
      'To: whoever looks after security. is the hotel wifi ok?',
      'From: the mayor. which sister cities do we have?',
    ])
      expect(stripNoise(q)).toBe(q);
  });

  it('drops the words that only point to a removed address or number, and no others', () => {
    expect(
      stripNoise(
        'Can we fly a drone over the festival? Email aroha.te@example.com or call 021 555 1234',
      ),
    ).toBe('Can we fly a drone over the festival?');
    expect(stripNoise('is koha taxable? ring me on 027 555 0192 if you need more')).toBe(
      'is koha taxable? if you need more',
    );
    // Not next to a number or an address: the words are the question.
    expect(stripNoise("who should I call if I'm approached?")).toBe(
      "who should I call if I'm approached?",
    );
    expect(stripNoise('can I email the consulate about the visit?')).toBe(
      'can I email the consulate about the visit?',
    );
  });
});
