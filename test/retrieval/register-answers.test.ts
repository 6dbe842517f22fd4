/** Register answers on the shipped knowledge: what staff see for the councils it holds, and for one it lacks. */
import { describe, expect, it } from 'vitest';
import { prepareQuestion } from '../../src/answer.js';
import { loadKnowledge } from '../../src/knowledge/index.js';
import type { Reply } from '../../src/model.js';
import { evaluate } from '../../src/quality/eval.js';
import { replyToPlain } from '../../src/replies.js';
import { answering } from '../helpers/answering.js';
import { SHIPPED_KNOWLEDGE } from '../helpers/server.js';

const { ask } = answering(SHIPPED_KNOWLEDGE, '2026-11-30');
const knowledge = await loadKnowledge(SHIPPED_KNOWLEDGE);
const sourceUrls = (r: Reply) =>
  r.blocks.flatMap((b) => (b.type === 'sources' ? b.sources.map((s) => s.url) : []));
const RNZ_2025 = 'https://amp.rnz.co.nz/article/c3bc8af8-edfc-4f04-acd7-e3883fc49f18';

describe('register answers on the shipped knowledge', () => {
  it('gives Tauranga its ties with Yantai from about 1986, citing RNZ', () => {
    const a = ask('when did Tauranga twin with Yantai?');
    expect(a.reply.entryId).toBe('register:tauranga');
    const text = replyToPlain(a.reply);
    expect(text).toMatch(
      /^Tauranga and Yantai \(China\) have been sister cities since about 1986\./,
    );
    expect(text).toContain("Tauranga's other ties in the register: Hitachi, Japan");
    expect(sourceUrls(a.reply)).toContain(RNZ_2025);
  });

  it('answers a review-practice question for Hamilton with the MFAT advice and its RNZ source', () => {
    const a = ask('does Hamilton check trips with MFAT?');
    expect(a.answered).toBe(true);
    expect(a.reply.entryId).toBe('register:hamilton');
    const text = replyToPlain(a.reply);
    expect(text).toContain('Advice it takes (Hamilton):');
    expect(text).toContain('checks every trip or major contact with a sister city with MFAT first');
    expect(sourceUrls(a.reply)).toContain(RNZ_2025);
    const review = replyToPlain(ask('how often does Hamilton review its sister cities?').reply);
    expect(review).toContain('reviews its sister-city partnerships every elected term');
  });

  it('shows both years and both sides where sources disagree', () => {
    const a = ask('when did Auckland become sister cities with Los Angeles?');
    const text = replyToPlain(a.reply);
    expect(text).toContain('have been sister cities since 1971 or 1972: sources differ.');
    expect(text).toContain('puts the start in 1972; two undated NZ Herald articles give 1971');
    expect(sourceUrls(a.reply)).toEqual(
      expect.arrayContaining([
        'https://ourauckland.aucklandcouncil.govt.nz/news/2022/07/auckland-and-la-toast-golden-anniversary',
        'https://nzherald.co.nz/nz/sister-cities-in-for-shake-up/SQR5JACBW5ZQEDBTHQQ4UYHKYQ',
      ]),
    );
    const hitachi = replyToPlain(ask('how long has Tauranga been twinned with Hitachi').reply);
    expect(hitachi).toContain('since about 1988 or 1990: sources differ');
  });

  it("says when a city is another council's tie, not the named council's", () => {
    const a = ask('is Hamilton twinned with Kumagaya?');
    expect(a.reply.entryId).toBe('register:hamilton');
    expect(replyToPlain(a.reply)).toMatch(
      /^Kumagaya is not one of Hamilton's ties in the register\. It is linked with Invercargill \(sister city\)\./,
    );
    expect(replyToPlain(ask('which nz council is twinned with Qingdao').reply)).toContain(
      'In the register, Qingdao is also linked with Dunedin (friendship city).',
    );
  });

  it('says an ended tie has ended', () => {
    expect(replyToPlain(ask("is Reno still Whanganui's sister city?").reply)).toMatch(
      /^Whanganui and Reno \(United States\) were sister cities from 1973; the tie has ended\./,
    );
  });

  it('reads "run" or "spend" as about a council\'s record only in a question about its ties', () => {
    const passing = ask(
      'what does the UK Think Before You Link app do? one of our comms team in Napier wants to run some recruiter accounts through it',
    );
    expect(passing.reply.entryId).toBe('fake-online-profiles');
    expect(ask("who runs Tauranga's sister cities?").reply.entryId).toBe('register:tauranga');
    // Words that ask about the record on their own still do.
    expect(ask('how often does Hamilton review its sister cities?').reply.entryId).toBe(
      'register:hamilton',
    );
    expect(ask('does Hamilton check trips with MFAT?').reply.entryId).toBe('register:hamilton');
  });

  it("leaves a council's rules on gifts, meals and hotels to the guidance, never to the council's record", () => {
    const policy = ask(
      "What's Christchurch City Council's internal policy on accepting presents from its sister cities?",
    );
    expect(policy.reply.entryId).toBe('gifts-from-visiting-delegations');
    const hotel = ask(
      'Our partner city in China covered my hotel and most meals when I went to Xiamen in May. Does any of that need to go on my return?',
    );
    expect(hotel.reply.entryId).toBe('declaring-gifts-and-overseas-trips');
    // Not even as a fallback when the guidance has nothing: the record would not answer it either.
    const limit = ask(
      'Does Auckland Council have a written policy on staff accepting presents from partner cities? What is their limit?',
    );
    expect(limit.reply.entryId ?? '').not.toMatch(/^register:/);
    // The ties themselves still come from the register.
    expect(ask("what are Christchurch's sister cities?").reply.entryId).toBe(
      'register:christchurch',
    );
  });

  it("leaves a partner city's population to the guidance, which has none, yet still dates the tie", () => {
    const population = ask('Kunming population? need it for the intro of the sister city report');
    expect(population.answered).toBe(false);
    expect(population.reply.entryId ?? '').not.toMatch(/^register:/);
    const when = ask('when did New Plymouth become sister cities with Kunming?');
    expect(when.reply.entryId).toBe('register:new-plymouth');
    expect(replyToPlain(when.reply)).toContain('Kunming');
  });

  it('points a council it lacks to Global Cities NZ, with an id evaluation can score', () => {
    const a = ask("what are Kaikōura's sister cities?");
    expect(a.reply.entryId).toBe('register:not-listed:kaikoura');
    expect(replyToPlain(a.reply)).toMatch(
      /^The register has no entry for Kaikōura \(Kaikōura District Council\)\. That means our sources don't cover it, not that it has no sister cities\./,
    );
    expect(sourceUrls(a.reply)).toEqual(['https://globalcities.org.nz/']);
  });

  it("leaves a council's rules for staff (gifts, travel) to the guidance, and keeps its sister-city practice", () => {
    for (const q of [
      "What's Christchurch City Council's policy on gifts from visiting delegations?",
      "what's Wellington City Council's gift limit for staff?",
    ])
      expect(ask(q).reply.entryId ?? '').not.toMatch(/^register:/);
    expect(ask("what is Christchurch's sister city policy?").reply.entryId).toBe(
      'register:christchurch',
    );
    expect(ask('how often does Christchurch review its sister cities?').reply.entryId).toBe(
      'register:christchurch',
    );
  });

  it('does not read a partner city alone as a question about the tie', () => {
    // Canberra is Wellington's sister city, but this asks about Australia's scheme.
    const a = ask('do aussie councils need to tell canberra about their sister city deals');
    expect(a.reply.entryId).toBe('australia-foreign-arrangements-scheme');
    expect(ask('which nz city is twinned with Otaru').reply.entryId).toBe('register:dunedin');
    // Coventry is one of Selwyn's ties, but "where sister cities started" asks about the idea.
    expect(
      ask('coventry + stalingrad - is that where sister cities started?').reply.entryId,
    ).not.toMatch(/^register:/);
    expect(ask('where in nz is the sister city of Otaru?').reply.entryId).toBe('register:dunedin');
  });

  it("lists Christchurch's namesake in Dorset as one of its ties, not as the question", () => {
    const text = replyToPlain(ask("what are Christchurch's sister cities?").reply);
    expect(text).toMatch(/^Christchurch's sister cities and other ties/);
    expect(text).toContain('- Christchurch (Dorset), England (United Kingdom) (since 1972)');
  });

  it("answers from a note in a council's record when the question says it in its own words", () => {
    // No "sister city", no partner city: only the note on Whanganui's tie with Nagaizumi says it.
    // The record is the answer when no guidance entry is (as for the first question today).
    for (const q of [
      'whanganui sent a delegation to japan for the 30th - who paid for what?',
      "Whanganui's 30th anniversary delegation to Japan: what did the council pay for?",
    ]) {
      const p = prepareQuestion(knowledge, q);
      const fallback = p.kind === 'search' ? p.register?.reply : undefined;
      expect(fallback?.entryId, q).toBe('register:whanganui');
      if (!fallback) continue;
      expect(replyToPlain(fallback), q).toContain('paid only the airfares');
      expect(sourceUrls(fallback).length, q).toBeGreaterThan(0);
    }
    const a = ask('whanganui sent a delegation to japan for the 30th - who paid for what?');
    expect(a.answered).toBe(true);
    expect(a.reply.entryId).toBe('register:whanganui');
    // The council's name and one shared word are not enough; nor is a question on staff's rules.
    for (const q of [
      'whanganui delegation to japan next year, who pays?',
      'our Whanganui delegation: can I keep the gift our hosts paid for?',
    ]) {
      const p = prepareQuestion(knowledge, q);
      expect(p.kind === 'search' ? p.register : undefined, q).toBeUndefined();
    }
  });

  it('offers guidance written about the council as related questions', () => {
    const a = ask("what are Auckland's sister cities?");
    expect(a.reply.blocks).toContainEqual({
      type: 'buttons',
      buttons: [
        expect.objectContaining({ value: 'auckland-sister-city-review-after-amalgamation' }),
      ],
    });
    expect(a.ranked).toEqual([
      'register:auckland',
      'auckland-sister-city-review-after-amalgamation',
    ]);
  });
});

describe('what someone may accept or must declare', () => {
  it("is not answered with a council's record, whatever gift it names", () => {
    for (const q of [
      "can I accept a greenstone pendant from the Christchurch delegation's guests?",
      'the Napier delegation gave me a vase from their sister city, do I need to declare it?',
    ])
      expect(ask(q).reply.entryId ?? '').not.toMatch(/^register:/);
    // A council accepting a proposal is about its ties.
    expect(ask('did Christchurch accept the proposal for a new sister city?').reply.entryId).toBe(
      'register:christchurch',
    );
  });
});

describe('ties that ended, asked about a country', () => {
  it('does not answer "has any council cut ties with a Chinese city?" with every tie in China', () => {
    for (const q of [
      'Has any council cut ties with a Chinese city because of interference?',
      'have any NZ councils ended their links with Japanese cities?',
    ])
      expect(replyToPlain(ask(q).reply)).not.toMatch(/have ties in/);
    // Asked plainly, it is still the list.
    expect(replyToPlain(ask('which NZ councils have ties with Japanese cities?').reply)).toMatch(
      /have ties in Japan/,
    );
  });
});

describe('a person named like a place', () => {
  it('reads "Cr Nelson", "Cr Gore" and "Dr Bruce Napier" as people, not councils', () => {
    for (const q of [
      'Cr Nelson wants to know whether our sister city in China is a risk',
      'what should we check before we sign a sister city agreement? asking for Cr Gore',
      'Dr Bruce Napier from the university asked what our sister city agreements say',
    ])
      expect(ask(q).reply.entryId ?? '').not.toMatch(/^register:/);
    // A council named after "the mayor of", or before "mayor", or after "the mayor visited", is
    // still the council.
    expect(
      ask("our mayor visited Nelson's sister city last year - when did that tie start?").reply
        .entryId,
    ).toBe('register:nelson');
    expect(ask('what are the sister cities of the mayor of Nelson?').reply.entryId).toBe(
      'register:nelson',
    );
    expect(
      ask('the Hamilton mayor: which sister cities does the council have?').reply.entryId,
    ).toBe('register:hamilton');
  });
});

describe("what a council's record never holds", () => {
  it.each([
    "Christchurch's sister city Christchurch in Dorset: who's the current contact there, and is there an email for them?",
    'exact wording of the agreement Hastings signed with Guilin?',
    'Invercargill was going to review its sister cities. Did that get approved in the end?',
    // A head count, which a record never gives: its numbers are years.
    'how many visitors from Kumagaya has Invercargill hosted since the tie began?',
    'Hastings and Guilin: how many students have gone on the exchange?',
    // Another country's rules, an address, plans for an anniversary, last year's budget.
    'Does China require its cities to get national approval before twinning with Hastings?',
    "what's the street address of Wellington's sister city office?",
    "is there a delegation planned for Hastings and Guilin's anniversary next year?",
    'how much had Christchurch budgeted for sister city travel in 2024?',
    // A sum of money, asked in everyday words.
    "what's the yearly dollar figure Tauranga puts into its sister cities?",
  ])('"%s" is not answered with the record', (q) => {
    const a = ask(q);
    expect(a.reply.entryId ?? '').not.toMatch(/^register:/);
  });

  it('still answers who signed a tie, which a record often says', () => {
    expect(ask('Hastings and Guilin - when was it signed and who signed it?').reply.entryId).toBe(
      'register:hastings',
    );
  });
});

describe('the oldest ties with a country, across the register', () => {
  it('names the council with the oldest tie, the runners-up, and cites them', () => {
    const a = ask('Which council had the first sister city with mainland China?');
    expect(a.reply.entryId).toBe('register:hastings');
    const text = replyToPlain(a.reply);
    expect(text).toMatch(
      /^Of the councils in the register, Hastings has the oldest tie with China\./,
    );
    expect(text).toContain('Hastings and Guilin (China) have been sister cities since 1981.');
    expect(text).toMatch(/Next come Christchurch and Gansu \(1984\)/);
    expect(text).toContain('not every one in New Zealand');
    expect(sourceUrls(a.reply).length).toBeGreaterThan(1);
  });

  it('keeps a disputed year as the sources give it, and says "the United States"', () => {
    const text = replyToPlain(ask('oldest sister city relationship with the US?').reply);
    expect(text).toContain('Rotorua has the oldest tie with the United States');
    expect(text).toContain('Auckland and Los Angeles (1971 or 1972: sources differ)');
  });

  it('is not used when the question names a council, or asks about no tie', () => {
    expect(ask('what was Dunedin’s first sister city in Japan?').reply.entryId).toBe(
      'register:dunedin',
    );
    expect(
      ask('what was the first overseas trip by a mayor to china').reply.entryId ?? '',
    ).not.toMatch(/^register:/);
  });

  it('reads "first" as beforehand when it means that', () => {
    const a = ask(
      'If an Aussie council wants to sign a twinning deal with a city overseas, do they have to tell Canberra first? and afterwards?',
    );
    expect(a.reply.entryId).toBe('australia-foreign-arrangements-scheme');
    expect(replyToPlain(a.reply)).not.toContain('the oldest tie');
    expect(ask('who was first to twin with a chinese city?').reply.entryId).toBe(
      'register:hastings',
    );
  });

  it('reads "our first trip" as the asker\'s own trip, not the oldest tie', () => {
    const a = ask(
      'which NZ councils have a sister city in Japan? want someone to ring before our first trip',
    );
    const text = replyToPlain(a.reply);
    expect(text).not.toContain('the oldest tie');
    expect(text).toMatch(/Of the councils in the register, \d+ have ties in Japan/);
    expect(replyToPlain(ask('which council had the first sister city in Japan?').reply)).toMatch(
      /has the oldest tie with Japan/,
    );
  });

  it('knows China as "the People\'s Republic"', () => {
    const a = ask(
      "which NZ council was the very first to sign a sister city deal with the People's Republic?",
    );
    expect(a.reply.entryId).toBe('register:hastings');
    expect(replyToPlain(a.reply)).toMatch(/Hastings has the oldest tie with China\./);
  });
});

describe('ties in one country, across the register', () => {
  it('lists every council with a tie in the country asked about, with statuses and sources', () => {
    const a = ask('mōrena - which NZ councils have a sister or friendly city in Korea?');
    expect(a.answered).toBe(true);
    const text = replyToPlain(a.reply);
    expect(text).toMatch(/^Of the councils in the register, 4 have ties in South Korea:/);
    for (const line of [
      '- Christchurch: Songpa-gu',
      '- Lower Hutt: Hwaseong (friendship city, since 2009, dormant)',
      '- Tauranga: Ansan',
      '- Auckland: Pohang',
    ])
      expect(text).toContain(line);
    expect(text).toContain('not every one in New Zealand');
    // A list, not every tie's notes: those come with a question about the council.
    expect(text).toContain('Ask about a council by name for the notes on each tie.');
    // The oldest tie's council is the answer's id; every council's own source is cited.
    expect(a.reply.entryId).toBe('register:christchurch');
    expect(sourceUrls(a.reply).length).toBeGreaterThanOrEqual(5);
  });

  it('says once that sources differ on a tie whose years they disagree on', () => {
    const text = replyToPlain(ask('which NZ councils have a sister city in Japan?').reply);
    expect(text).toContain('- Whanganui: Nagaizumi-cho (since 1984 or 1988: sources differ)');
    expect(text).not.toContain('sources differ, sources differ');
  });

  it('reads "links with korean cities" (no article, an adjective) as the same question', () => {
    const text = replyToPlain(ask('which nz councils have links with korean cities?').reply);
    expect(text).toMatch(/^Of the councils in the register, 4 have ties in South Korea:/);
  });

  it('knows every country in the register by name, not only the common ones', () => {
    const text = replyToPlain(ask('any nz councils twinned with somewhere in belgium?').reply);
    expect(text).toMatch(/^Of the councils in the register, 2 have ties in Belgium:/);
    expect(text).toContain('- Hamilton: Ieper');
    expect(text).toContain('- Waimakariri: Zonnebeke');
  });

  it('reads a national capital named on its own as its government, not a partner city', () => {
    const registerOf = (q: string) => {
      const p = prepareQuestion(knowledge, q);
      return p.kind === 'register'
        ? p.answer.reply.entryId
        : p.kind === 'search'
          ? p.register?.reply.entryId
          : undefined;
    };
    // Canberra and Beijing are Wellington's partner cities, but here they are governments: no
    // council's record, not even as a fallback when the guidance is unsure.
    expect(
      registerOf('do aussie councils need to tell canberra about their sister city deals'),
    ).toBeUndefined();
    expect(
      registerOf(
        'Does Beijing have to sign off when a Chinese city agrees a sister-city deal with a foreign council?',
      ),
    ).toBeUndefined();
    // Asking which NZ place is tied to the capital, or naming the council, still goes there.
    expect(registerOf('which NZ city is twinned with Canberra?')).toBe('register:wellington');
    expect(registerOf('how long have Wellington and Beijing been sister cities?')).toBe(
      'register:wellington',
    );
    // A capital spoken of as a partner city, or a partner city that is no capital, keeps its
    // fallback.
    expect(registerOf('tell me about the sister city tie with Canberra')).toBe(
      'register:wellington',
    );
    expect(registerOf('anything on the Kumagaya sister city link?')).toBe('register:invercargill');
  });

  it('names every council a listing covers, first the one it takes its id from', () => {
    const a = ask('any nz councils twinned with somewhere in belgium?');
    expect(a.reply.entryId).toBe('register:hamilton');
    expect(a.reply.covers).toEqual(['register:hamilton', 'register:waimakariri']);
    // A single council's record covers nothing beyond its id.
    expect(ask('when did Tauranga twin with Yantai?').reply.covers).toBeUndefined();
  });

  it('is scored right when it lists a council a question answered from many records expects', () => {
    const q = 'any nz councils twinned with somewhere in belgium?';
    const score = (expect: string[]) =>
      evaluate(knowledge, { inScope: [{ q, expect }], outOfScope: [] }, '2026-11-30').top1;
    // Labelled with several councils (at most four are allowed), any one listed will do.
    expect(score(['register:waimakariri', 'register:dunedin'])).toBe(1);
    // Labelled with one council, the answer must be that council's.
    expect(score(['register:waimakariri'])).toBe(0);
    // Listing none of the councils expected is wrong.
    expect(score(['register:dunedin', 'register:nelson'])).toBe(0);
  });

  it('leaves other questions that name a country and councils alone', () => {
    // About Australian councils, not NZ councils with ties in Australia.
    expect(
      ask('do aussie councils need to tell canberra about their sister city deals').reply.entryId,
    ).not.toMatch(/^register:/);
    // About dropping a tie, not listing them (retrieval may answer or decline it).
    expect(
      ask('has any NZ council actually dumped a Chinese sister city over security?').reply
        .entryId ?? 'declined',
    ).not.toMatch(/^register:/);
    // An MOU with a city, not a council's ties.
    expect(
      ask(
        'the mayor wants to sign an MOU with a chinese city on the next visit, does that need sign off first',
      ).reply.entryId,
    ).not.toMatch(/^register:/);
  });
});

describe('ended and dormant ties, across the register', () => {
  it('lists the ties recorded as ended, with council, years, note and sources', () => {
    const a = ask('has any nz council actually ended a sister city? officially i mean');
    expect(a.answered).toBe(true);
    expect(a.reply.entryId).toBe('register:whanganui');
    const text = replyToPlain(a.reply);
    expect(text).toMatch(/^Of the ties in the register, one is recorded as ended:/);
    expect(text).toContain('- Whanganui and Reno (since 1973, ended), United States.');
    expect(text).not.toContain('dormant');
    expect(text).toContain('not every one in New Zealand');
    expect(sourceUrls(a.reply).some((u) => u.includes('whanganui'))).toBe(true);
  });

  it('adds the dormant ties when the question asks about ties gone quiet too', () => {
    const text = replyToPlain(
      ask(
        'Has any NZ council actually ended a sister city relationship, or do they just let them go quiet?',
      ).reply,
    );
    expect(text).toMatch(
      /^Of the ties in the register, 6 are recorded as ended, dormant or paused:/,
    );
    expect(text).toContain('- Nelson and Eureka (since 2004, dormant), United States.');
    expect(replyToPlain(ask('which sister city ties have gone quiet?').reply)).toMatch(
      /^Of the ties in the register, 5 are recorded as dormant or paused:/,
    );
  });

  it('leaves to the guidance a question about reasons, or about how to end a tie', () => {
    for (const q of [
      'Has any NZ council actually ended a sister city because of security worries?',
      'how do we end a sister city relationship?',
      'what happens if a council ends a sister city agreement?',
    ])
      expect(replyToPlain(ask(q).reply), q).not.toMatch(/^Of the ties in the register/);
  });
});

describe('which place holds a tie, read one sentence at a time', () => {
  it('answers "which NZ city is twinned with Otaru?" in the middle of a message', () => {
    expect(ask('Kia ora. Which NZ city is twinned with Otaru? Thanks').reply.entryId).toBe(
      'register:dunedin',
    );
  });

  it('does not join "where did it start?" to "NZ" in a later sentence', () => {
    const a = ask(
      'Where did the whole twin-town idea start? something about Coventry and Stalingrad? and roughly how many links does NZ have, mostly in Asia?',
    );
    expect(a.reply.entryId).toBe('sister-cities-history-and-spread');
  });
});

describe("other ways of asking about a council's ties", () => {
  it.each([
    ["Which of Hutt City's overseas relationships are dormant?", 'register:lower-hutt'],
    ['Tauranga - what are its international ties?', 'register:tauranga'],
    ['does Rotorua have links with any cities overseas?', 'register:rotorua'],
    ["rotorua's sister cites?? who are they", 'register:rotorua'],
    ['hamilton sister ctiy list', 'register:hamilton'],
    // A word between "overseas" and "links", an abbreviation, and a possessive typed without its
    // apostrophe.
    ["which of upper hutt's overseas city links are still active?", 'register:upper-hutt'],
    ['tauranga intl links - any dormant?', 'register:tauranga'],
    ['what are palmerston norths overseas sister relationships', 'register:palmerston-north'],
  ])('%s', (question, id) => {
    expect(ask(question).reply.entryId).toBe(id);
  });

  it('lists the councils with a tie in a country named by two words ("a South Korean city")', () => {
    const a = ask('Which NZ councils have some kind of link with a South Korean city?');
    expect(replyToPlain(a.reply)).toMatch(/have ties in South Korea/);
    expect(replyToPlain(a.reply)).toContain('- Christchurch:');
    // One word between "with a" and "city" still counts, as it always did.
    expect(replyToPlain(ask('which councils have a link with a Korean city?').reply)).toMatch(
      /have ties in South Korea/,
    );
  });

  it('lists the councils with ties in a country asked about in plain words ("links with Belgium")', () => {
    for (const q of [
      'what NZ councils have connections with Belgium?',
      'any councils with ties to Belgium? for an Anzac event',
    ])
      expect(replyToPlain(ask(q).reply)).toMatch(/have ties in Belgium/);
    // Without a country, or without asking which councils, it is not a listing.
    expect(replyToPlain(ask('which councils have links with foreign states?').reply)).not.toMatch(
      /have ties in/,
    );
  });

  it('reads "give me a few councils with…" as asking which councils, and "a few councils" alone as not', () => {
    expect(
      replyToPlain(ask('can you name a few NZ councils with japanese sister cities?').reply),
    ).toMatch(/have ties in Japan/);
    expect(
      replyToPlain(
        ask('a few councils with japanese sister cities got NZSIS briefings, should we?').reply,
      ),
    ).not.toMatch(/have ties in Japan/);
  });
});

describe('councils of another country', () => {
  it('are not answered with the list of New Zealand councils tied to a country', () => {
    for (const q of [
      'Which Queensland councils have notified twin-city arrangements with Chinese cities, and which cities are they?',
      'which councils in the UK have sister cities in China?',
    ]) {
      const text = replyToPlain(ask(q).reply);
      expect(text, q).not.toMatch(/Of the councils in the register/);
    }
    expect(replyToPlain(ask('which NZ councils have sister cities in China?').reply)).toMatch(
      /Of the councils in the register, \d+ have ties in China/,
    );
  });
});

describe('a council named only as where someone is', () => {
  it('does not make the question one about its record', () => {
    expect(
      ask(
        'whats the number to ring the SIS? back in Hamilton now and want to tell them about something from the trip',
      ).reply.entryId,
    ).toBe('how-to-report-a-concern');
    expect(
      ask(
        'What has the SIS boss been telling councillors about partner cities? I missed the LGNZ webinar because I was in Napier for the cyclone recovery meeting.',
      ).reply.entryId ?? '',
    ).not.toMatch(/^register:/);
  });

  it('still does when the sentence naming it asks about it, or it is where the asker works', () => {
    expect(ask("I'm in Hamilton. Does Hamilton check trips with MFAT?").reply.entryId).toBe(
      'register:hamilton',
    );
    expect(ask('what sister cities are there in Hamilton?').reply.entryId).toBe(
      'register:hamilton',
    );
    expect(
      ask(
        "Hi, I've just started in the international relations team in Hutt City. My manager mentioned a couple of our overseas links went quiet years ago. Which ones were recorded as dormant?",
      ).reply.entryId,
    ).toBe('register:lower-hutt');
  });
});

describe('a region some council is in', () => {
  it('is not read as the regional council: "was there a Northland council that…"', () => {
    expect(
      ask(
        'Was there a Northland council that copped flak over an agreement with a company linked to a Chinese university?',
      ).reply.entryId ?? '',
    ).not.toMatch(/^register:/);
    expect(ask('does Northland Regional Council have any sister cities?').reply.entryId).toBe(
      'register:not-listed:northland',
    );
  });
});

describe('a region named as where councils are, and an airport', () => {
  it('lists the councils there tied to a country for "which councils in the Wellington region…"', () => {
    const reply = ask('Which councils in the Wellington region have Japanese sister cities?').reply;
    const text = replyToPlain(reply);
    expect(text).toMatch(
      /^Of the register's councils in the Wellington region, 4 have ties in Japan:/,
    );
    for (const place of ['Wellington', 'Lower Hutt', 'Porirua', 'Masterton'])
      expect(text).toContain(`- ${place}:`);
    // Councils elsewhere with ties in Japan are not listed.
    expect(text).not.toContain('Christchurch');
    expect(reply.covers).toEqual(
      expect.arrayContaining(['register:lower-hutt', 'register:porirua', 'register:wellington']),
    );
  });

  it('answers for the council asked about, not the airport the asker is at', () => {
    expect(
      ask(
        'last q from auckland airport on the way home – selwyn trip. how many sister cities does selwyn actually have?',
      ).reply.entryId,
    ).toBe('register:selwyn');
  });
});

describe('the councils of a region', () => {
  it("lists the register's councils there with their ties, and those it has no entry for", () => {
    const reply = ask('does the Wellington region have sister cities?').reply;
    const text = replyToPlain(reply);
    expect(text).toMatch(/^The register holds 5 councils in the Wellington region:/);
    expect(text).toContain('- Upper Hutt: Mesa');
    expect(text).toMatch(/no entry for Greater Wellington Regional Council, .*Kāpiti Coast/);
    expect(text).toContain('globalcities.org.nz');
    // Each listed council's own sources are cited.
    expect(text).toContain('poriruacity.govt.nz');
  });

  it('reads "any Canterbury councils with…" as the councils there, with one country', () => {
    const text = replyToPlain(ask('any Canterbury councils with Chinese sister cities?').reply);
    expect(text).toMatch(
      /^Of the register's councils in the Canterbury region, \d+ have ties in China:/,
    );
    expect(text).toContain('- Christchurch:');
    expect(text).not.toMatch(/Invercargill|Hamilton/);
  });

  it('keeps to district councils when the question does', () => {
    const text = replyToPlain(
      ask('Which Canterbury district councils have a Chinese sister city?').reply,
    );
    expect(text).toMatch(
      /^Of the register's district councils in the Canterbury region, 2 have ties in China:/,
    );
    expect(text).not.toContain('- Christchurch:');
    expect(text).not.toContain('Environment Canterbury');
  });

  it('says so when none there has a tie in the country, and gives their ties', () => {
    const text = replyToPlain(
      ask('which councils in the Northland region have sister cities in Japan?').reply,
    );
    expect(text).toMatch(
      /^None of the register's councils in the Northland region has a tie in Japan\. Their ties are:/,
    );
    expect(text).toContain('- Whangārei:');
  });

  it("lists by the region a council's seat is in", () => {
    const text = replyToPlain(ask("sister cities in the Hawke's Bay region?").reply);
    expect(text).toContain('- Hastings:');
    expect(text).not.toContain('Taupō');
  });

  it('leaves the regional council by name, and a region named in passing, as they were', () => {
    expect(ask('does Environment Canterbury have sister cities?').reply.entryId).toBe(
      'register:not-listed:canterbury',
    );
    expect(
      ask("I'm at a council in the Wellington region; what does the SIS say about sister cities?")
        .reply.entryId ?? '',
    ).not.toMatch(/^register:/);
  });
});

describe('which councils the register holds', () => {
  it.each([
    'which councils does the register cover?',
    'what councils are in your register?',
    'which councils do you have sister city info for',
    'list all the councils you know about',
  ])('%s', (q) => {
    const reply = ask(q).reply;
    const text = replyToPlain(reply);
    expect(reply.entryId).toBe('register:councils');
    expect(text).toMatch(
      /^The register holds 28 councils, with their sister cities and other ties: Auckland \(\d+\), /,
    );
    expect(text).toContain('Whangārei');
    expect(text).toContain('globalcities.org.nz');
    expect(reply.blocks).toContainEqual(expect.objectContaining({ type: 'sources' }));
  });

  it('is not what a question about one council, or about which councils have ties, gets', () => {
    expect(ask('what councils is Hamilton twinned with?').reply.entryId).not.toBe(
      'register:councils',
    );
    expect(ask('which councils have sister cities in Japan?').reply.entryId).not.toBe(
      'register:councils',
    );
  });
});

describe('several councils asked about together', () => {
  it("gives each one's ties, citing both", () => {
    const reply = ask('what sister cities do Hamilton and Tauranga have?').reply;
    const text = replyToPlain(reply);
    expect(text).toMatch(/^The register's ties for Hamilton and Tauranga:/);
    expect(text).toMatch(/- Hamilton: Chengdu/);
    expect(text).toMatch(/- Tauranga: Yantai/);
    expect(reply.covers).toEqual(['register:hamilton', 'register:tauranga']);
  });

  it('keeps to the country asked about, and says which has none there', () => {
    const text = replyToPlain(
      ask('Hamilton vs Tauranga sister cities - which has more Chinese ties?').reply,
    );
    expect(text).toMatch(/^The register's ties in China for Hamilton and Tauranga:/);
    expect(text).not.toContain('Saitama');
    const japan = replyToPlain(ask('do Porirua and Hamilton have Japanese sister cities?').reply);
    expect(japan).toContain('- Porirua: Nishio');
    expect(japan).toContain('- Hamilton: Saitama');
    expect(
      replyToPlain(ask('do Tauranga and Upper Hutt have Japanese sister cities?').reply),
    ).toContain('- Upper Hutt: none in Japan recorded');
  });

  it('leaves a question about one part of the record, or one tie, to one council', () => {
    expect(
      ask('does Hamilton review its sister cities like Invercargill does?').reply.covers,
    ).toBeUndefined();
  });
});

describe("the asker's own council beside the one asked about", () => {
  it('answers for the other council', () => {
    expect(
      ask("I work at Hutt City but I'm asking about Nelson: what sister cities does it have?").reply
        .entryId,
    ).toBe('register:nelson');
    expect(
      ask('our council is Porirua, but what sister cities does Napier have').reply.entryId,
    ).toBe('register:napier');
  });

  it("still answers for the asker's council when it is the only one named", () => {
    expect(ask("I'm from Porirua - what are our sister cities?").reply.entryId).toBe(
      'register:porirua',
    );
  });
});

describe('dormant or ended ties, asked about in plain words', () => {
  it.each([
    ['any dormant sister cities in the register?', /recorded as dormant or paused:/],
    ['are there any inactive ties?', /recorded as dormant or paused:/],
    ['list the ended ties', /recorded as ended:/],
  ])('%s', (q, opening) => {
    const text = replyToPlain(ask(q).reply);
    expect(text).toMatch(opening);
    expect(text).toMatch(/^- \*?\*?\w/m);
  });
});

describe('ended ties in a country that has none', () => {
  it('says none there is recorded as ended, and gives the ones that are', () => {
    const a = ask('has any council dropped a chinese sister city');
    const text = replyToPlain(a.reply);
    expect(text).toMatch(/^None of the register's ties in China is recorded as ended\./);
    expect(text).toContain('Whanganui and Reno');
    expect(a.reply.entryId).toBe('register:whanganui');
    expect(a.reply.blocks).toContainEqual(expect.objectContaining({ type: 'sources' }));
  });
});

describe('a partner city named in passing', () => {
  it('is left out of the search when no guidance entry uses its name', () => {
    const p = prepareQuestion(knowledge, 'the Guilin mayor gave me a vase, do I declare it');
    expect(p).toMatchObject({ kind: 'search' });
    expect(p.kind === 'search' && p.question).toBe('the mayor gave me a vase, do I declare it');
    expect(ask('the Guilin mayor gave me a vase, do I declare it').reply.entryId).toBe(
      'gifts-from-visiting-delegations',
    );
    expect(ask('trip to Yantai next month, do we need clean phones?').reply.entryId).toBe(
      'phones-and-laptops-overseas',
    );
  });

  it('stays when the guidance discusses the city, or the register answers', () => {
    const p = prepareQuestion(knowledge, 'what did the mayor bring back from Beijing, a vase?');
    expect(p.kind === 'search' && p.question).toContain('Beijing');
    expect(ask('how long has Hastings been twinned with Guilin?').reply.entryId).toBe(
      'register:hastings',
    );
  });
});
