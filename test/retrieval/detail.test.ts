import { describe, expect, it } from 'vitest';
import { detailMissing, detailsStated } from '../../src/retrieval/detail.js';

const NONE = [false, false, false, false, false, false, false];
const ALL = [true, true, true, true, true, true, true];

describe('questions that ask for a specific detail', () => {
  it.each([
    'what is the maximum sentence for foreign interference in Australia?',
    'fine for not listing overseas travel on the register',
    'how much did the mayoral trip cost ratepayers all up?',
    'how much does global cities nz charge councils each year',
    'total cost to ratepayers of wgtn mayors 2023 asia trip?',
    "what did the wellington mayor's 2023 trip to Xiamen, Tianjin and Seoul cost ratepayers?",
    "What's Napier's annual budget for its sister city programme?",
    'how many people has the SIS warned since 2021?',
    'how long does SIS usually take to get back to you after the form',
    "what's the deadline each year for the pecuniary interests return?",
    "when's the next LGNZ webinar? when is the next conference on",
    'has anyone been charged under the new offences yet?',
    'when is the 2026 threat report coming out',
    'what level is MFAT showing for China right now?',
    'is Dunedin planning to revive its Portsmouth link?',
    'Has Dunedin decided whether to revive its dormant Portsmouth link?',
    'how many people has the SIS warned since 2021',
    'Kunming population? need it for the intro of the sister city report',
    "what are Kumagaya's main industries",
  ])('"%s" asks for one', (q) => {
    expect(detailMissing(q, NONE)).toBe(1);
    // An entry that states every kind of detail is not missing it.
    expect(detailMissing(q, ALL)).toBe(0);
  });

  it.each([
    'is it fine to leave my laptop in the hotel safe?',
    'can I accept a gift from the delegation',
    'did our hosts pick up some of the costs for the staff?',
    "Didn't Invercargill slash the budget for its twin towns? Did that end the relationships?",
    'what counts as foreign interference',
    'why are councils targets',
    // Telling a story in the present is not asking how things stand now.
    'filling in the SIS web form right now and it asks how urgent this is',
    'when did the first threat report come out, and what did it say?',
    "I accepted a dinner and haven't put it on my return yet",
    'we fly to Chengdu next week and his passport runs out in 4 months. is that going to be a problem?',
    'we are planning to host a delegation in March, what should we check?',
    'which communities does the SIS say are targeted for transnational repression?',
  ])('"%s" asks for none', (q) => {
    expect(detailMissing(q, NONE)).toBe(0);
  });
});

describe('what an entry states', () => {
  it('never states how things stand now: the guidance is a dated snapshot', () => {
    expect(
      detailsStated('As at 2026, no one has been charged under the new offences.').at(-1),
    ).toBe(false);
  });

  it('finds penalties, amounts, counts, lengths of time, dates and facts about a place, each on its own', () => {
    expect(detailsStated('up to 14 years imprisonment')).toEqual([
      true,
      false,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(detailsStated('gifts over $500 must be declared')).toEqual([
      false,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(detailsStated('a passport valid for at least six months')).toEqual([
      false,
      false,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(detailsStated('The Act came into force in May 2025.')).toEqual([
      false,
      false,
      true,
      false,
      true,
      false,
      false,
    ]);
    expect(detailsStated('Ask your security contact first.')).toEqual(NONE);
    // Facts about a place: no guidance entry or register record gives a city's population.
    expect(detailsStated('Suqian has a population of about 5 million.').at(-1)).toBe(true);
    expect(detailsStated('Invercargill and Suqian signed an MOU in 2019.').at(-1)).toBe(false);
  });
});
