/** Questions about a country's rules, against entries about another country's (shipped knowledge). */
import { describe, expect, it } from 'vitest';
import {
  countriesNamed,
  countryMissing,
  entryCountries,
  saysAboutMissing,
} from '../../src/retrieval/jurisdiction.js';
import { answering } from '../helpers/answering.js';
import { SHIPPED_KNOWLEDGE } from '../helpers/server.js';

describe('countries a text names', () => {
  it('reads possessives, demonyms and capitals, and never the pronoun "us"', () => {
    expect([...countriesNamed("Australia's scheme and the Aussie councils")]).toEqual([
      'australia',
    ]);
    expect([...countriesNamed('do Japanese cities have to tell Tokyo?')]).toEqual(['japan']);
    expect([...countriesNamed('does the US have a law like Canada’s C-70?')].sort()).toEqual([
      'canada',
      'us',
    ]);
    expect(countriesNamed('can you tell us what to do?').size).toBe(0);
    // China is where most trips and delegations come from, not a country whose rules are asked about.
    expect(countriesNamed('a Chinese delegation is visiting').size).toBe(0);
  });
});

describe('a country the entry never mentions', () => {
  const australia = entryCountries(
    "Australia's Foreign Arrangements Scheme",
    'Australian councils notify DFAT of arrangements with foreign governments.',
  );
  const phones = entryCountries(
    'Phones and laptops on overseas trips',
    'Take a loan device; Australia and the UK give similar advice.',
  );

  it('fires when an entry about one country meets a question about another', () => {
    expect(
      countryMissing('does Japan make its cities notify Tokyo, like Australia does?', australia),
    ).toBe(1);
    expect(
      countryMissing('In Germany do towns register twinning deals with Berlin?', australia),
    ).toBe(1);
  });

  it('stays quiet for the entry’s own country, and for entries about no country', () => {
    expect(countryMissing('do aussie councils have to tell Canberra?', australia)).toBe(0);
    expect(countryMissing('what should we ask about a new twin city?', australia)).toBe(0);
    expect(countryMissing('we are going to Japan: should we take work phones?', phones)).toBe(0);
  });
});

describe('what an entry says about a country', () => {
  const report = entryCountries(
    'NZSIS threat report 2025',
    'The report names China, Iran and Russia as the states most active here.',
  );
  const noRussia = entryCountries('NZSIS threat report 2024', 'The report names China and Iran.');

  it('is missing when asked about a country the entry never names', () => {
    expect(saysAboutMissing('did the 2024 report say anything about Russia?', noRussia)).toBe(1);
    expect(saysAboutMissing('what did it mention about North Korea', report)).toBe(1);
  });

  it('is not missing for a country the entry names, or a question that asks something else', () => {
    expect(saysAboutMissing('what does the report say about Russia?', report)).toBe(0);
    expect(saysAboutMissing('Iran: anything on it in the report?', noRussia)).toBe(0);
    expect(saysAboutMissing('we are hosting a Russian choir. any risks?', noRussia)).toBe(0);
  });
});

describe('through the whole answering path', () => {
  const { ask } = answering(SHIPPED_KNOWLEDGE, '2026-11-30');

  it("declines another country's rules rather than answering with Australia's", () => {
    const a = ask(
      'Does Japan make its cities tell Tokyo before signing twinning deals, like Australia does?',
    );
    expect(a.top?.entry.id).toBe('australia-foreign-arrangements-scheme');
    expect(a.retrieval?.features?.detailMissing).toBe(1);
    expect(a.answered).toBe(false);
  });

  it("still answers a question about Australia's scheme, and a Japan trip's phones", () => {
    expect(
      ask('do aussie councils have to tell canberra before signing a sister city deal?').reply
        .entryId,
    ).toBe('australia-foreign-arrangements-scheme');
    expect(
      ask("we're off to Japan next month, should we take our work phones?").reply.entryId,
    ).toBe('phones-and-laptops-overseas');
  });
});
