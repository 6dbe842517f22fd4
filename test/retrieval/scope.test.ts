import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../src/knowledge/index.js';
import { replyToPlain } from '../../src/replies.js';
import { detectOutOfScope } from '../../src/retrieval/index.js';
import { answering } from '../helpers/answering.js';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';

const { ask } = answering(FIXTURE_KNOWLEDGE, '2026-11-27');

describe('out-of-scope questions', () => {
  it.each([
    ['is councillor Jane Smith a foreign agent', 'person'],
    ['can you check if our new hire is a spy', 'person'],
    ['would it be an offence if our councillor took money from a foreign company', 'legal'],
    ['can I be prosecuted for not reporting', 'legal'],
    ['should NZ cut ties with China', 'political'],
    ['what do you think about China', 'political'],
    ['our mayor has been detained in China, what do we do?', 'emergency'],
    ['there is a fire in the hotel', 'emergency'],
    ['how do I hide files from border inspection', 'evasion'],
    ['how to get around foreign device searches', 'evasion'],
    ["give me the security contact's home address", 'personal-data'],
    ["what is the mayor's phone number", 'personal-data'],
    ['can you write me a press release about the delegation visit', 'task'],
    ['draft our reply to the sister city', 'task'],
    ['could you summarise the threat report into five bullet points for the councillors', 'task'],
    ['can you fill in my members interests return for me', 'task'],
    ['please send the trip checklist to the governance team', 'task'],
    ['Cr Li keeps pushing for the sister city. Is he working for Beijing?', 'person'],
    [
      'whats the time difference between hamilton and sacramento rn? need to set up a zoom',
      'travel-logistics',
    ],
    ["what's the weather in Invercargill?", 'travel-logistics'],
    ['do I need a visa for China', 'travel-logistics'],
    ['how do I avoid declaring the gift', 'evasion'],
    ['what defence does a councillor have if charged', 'legal'],
    ['our councillor took $5,000 from a consulate contact. is it a crime?', 'legal'],
    ['would it be an offence now if I passed the draft port plan to the consul?', 'legal'],
    ['what time does the library open', 'council-services'],
    ['can I book the town hall for my daughters wedding', 'council-services'],
    ['is cr wong a spy? she is always meeting the consulate', 'person'],
    ['Is Cr Li on our council a CCP agent?', 'person'],
    ['Was the Dunedin mayor naive about the risk from his sister cities?', 'person'],
    ["whats the invercargill mayor's personal mobile? need him urgently", 'personal-data'],
    ['can you give me the home address of the consul-general', 'personal-data'],
    // A common misspelling, and a verdict on a council's choice asked for in everyday words.
    ['time diffrence between nelson and eureka in july?', 'travel-logistics'],
    ['Is Hamilton mad to keep its Chengdu link? honestly, yes or no', 'political'],
    // The clock somewhere else, however it is asked; and a view on what someone said.
    [
      "what time is it in Hitachi when it's 9am here in Tauranga? setting up a zoom",
      'travel-logistics',
    ],
    ['What time is it in Saitama right now? need to ring our counterpart', 'travel-logistics'],
    [
      'Is the Dunedin mayor right that their sister cities pose no interference risk at all? What do you reckon?',
      'political',
    ],
    // A ratepayer's own business, even when the message mentions sister cities.
    [
      'the sister city levy is on our rates notice - can we pay the rates by instalments?',
      'council-services',
    ],
    [
      'why did Hastings have a rates increase this year, was it the sister city trips?',
      'council-services',
    ],
    // Tasks, travel planning and rates in other words.
    ["pls translate into Māori for the welcome: 'we are proud of our friendship'", 'task'],
    ['can you do our SafeTravel registration for the whole group?', 'task'],
    ['the mayor wants a draft MOU with our sister city. could you write one up?', 'task'],
    [
      'cheapest way to get from Wellington to Xiamen for the sister city visit?',
      'travel-logistics',
    ],
    ['why have our rates gone up? people blame the sister city trips', 'council-services'],
    // Summaries in a format, or of something attached, are tasks.
    [
      "I've attached the full SIS threat report PDF. Can you boil it down to a one-page summary for the CE?",
      'task',
    ],
    [
      'can you boil the 2025 SIS report down to 5 bullet points for our council agenda paper?',
      'task',
    ],
    ['summarise this for me: our partner city has asked us to sign by Friday', 'task'],
    // Taken, held or hurt said of a person.
    ['one of our staff was taken away by police in Shanghai', 'emergency'],
    ['she was taken to hospital after the dinner', 'emergency'],
    ['the interpreter has been held for questioning', 'emergency'],
    ['our mayor was held for six hours at the border', 'emergency'],
    ['my colleague was attacked on the street', 'emergency'],
    ['our mayor collapsed at the banquet', 'emergency'],
    ['our interpreter has gone missing, what do we do now', 'emergency'],
    ["he's been taken to a room by police and won't answer his phone", 'emergency'],
    ['our mayor has just been taken away by police at the airport, what do we do', 'emergency'],
    ['two officials have taken Cr Rawiri into a side room at the hotel', 'emergency'],
    // Still emergencies and visa questions, whatever else the message says.
    [
      'URGENT the mayor was taken aside by border police in Shanghai an hour ago, what do we do right now',
      'emergency',
    ],
    [
      'how long does a business visa take from the Chinese embassy in Wellington?',
      'travel-logistics',
    ],
    ['next rates instalment due when? I am overseas with the delegation', 'council-services'],
    // Someone's links to a state are a verdict on a person.
    ['what are their links to the CCP? the couple who run the friendship society', 'person'],
  ])('"%s" is declined as %s', (q, kind) => {
    expect(detectOutOfScope(q)).toBe(kind);
    const a = ask(q);
    expect(a.answered).toBe(false);
    expect(a.reply.kind).toBe('declined');
  });

  it.each([
    'is SafeTravel level 3 a reason to cancel our trip, and will travel insurance cover us',
    'my phone got taken off me at the airport for a while, does that matter',
    'kia ora, what can you help with?',
    'whats the NZSIS phone number',
    'what are the signs of an agent approach',
    'what is a proxy in foreign interference',
    'how do I report a spy',
    'what should I do if a delegate is detained overseas',
    'is foreign interference a crime now',
    'can you tell me what the threat report says about councils',
    'could you explain what has to go in my members interests return',
    // Spies, plants and personal numbers as the subject, not as a verdict or a request.
    'who tries to get information out of public servants? is it only foreign spies or others too',
    'Is it true the SIS has put out booklets for council staff on spotting spies?',
    "is this a police thing or an SIS thing? someone's photographing our water treatment plant",
    'my friend said posting where you are on a trip is a spy thing. is that right?',
    'A visiting official slipped me his personal number and asked to meet alone. What now?',
    'someone at a function asked for our CE’s personal email. what are the next steps?',
    'home from the japan visit. do I need to get the loan phone wiped?',
    'a trade association guy has taken me to lunch six times this year. is this how it starts?',
    'will our travel insurance still cover us if MFAT raises the warning for the region?',
    'why would anyone bother spying on a small district? we do rubbish collection and dog rego',
    // A procedure, a definition or the law asked about, not a verdict on someone.
    'who should I call if I think a guest at our reception is secretly acting for a foreign state?',
    "is a 'proxy' the same as an agent of a foreign government?",
    'can you be guilty under the new law without knowing you were working for a foreign state?',
    'we log suspicious contacts: is that only foreign spies, or other people as well?',
    // Whether something is a crime at all, now or in another country, is a question of fact.
    'did the Beehive actually get the foreign interference law through? is it a crime now and since when?',
    "one of our councillors insists interference still isn't a crime here. Is it an offence now?",
    "In Britain, is it a crime to meddle in a council's meetings on behalf of another country?",
    // Nothing missing is not someone missing.
    "someone's been in my hotel room, nothing missing and I'm fine. what should I do now?",
    // Sightseeing or a visa paid for by ratepayers is a question of sensitive expenditure.
    'the trip has two free days of sightseeing, paid by council. how would the Auditor-General see that?',
    'is sightseeing on a council trip ok if ratepayers foot the bill?',
    // A summary of what the guidance says is what an answer is.
    'can you summarise what the SIS says about gifts?',
    'Could you summarise the reasons NZSIS gives for councils being targets?',
    'my GM asked about the insider threat example in the SIS report. can you summarise for her',
    // Held, taken or hurt said of an event, a decision or a relationship is no emergency.
    'the welcome reception was held at the town hall, who should attend?',
    'the MOU signing was held in Beijing last year, did anyone report it?',
    'photos were taken of our delegation at the factory, should I mention it?',
    'a decision was taken by the committee last week to renew the MOU. was that checked?',
    'what approaches have other councils taken lately with their sister cities?',
    'would cutting the tie have hurt relations with the embassy?',
    'the mayor has taken a gift from the consul, is that ok?',
    'we were held up at customs for an hour, is that a worry?',
    'our passports were taken at the hotel check-in, is that normal?',
    "he's been taken out for dinner every night by the hosts. do I need to note it?",
    'does ACC cover a staffer who gets injured on a sister-city trip?',
    // Taken aside at a dinner is not an emergency; an invitation or a gift is not council services.
    'our deputy mayor was taken aside at a banquet in Ningbo and quizzed about the port. who do we tell?',
    'the councillor was taken out for dinner by the delegation - does she declare it?',
    'a developer who wants a resource consent keeps sending the team presents. is that ok?',
    'we mostly do libraries and rubbish collection - why would another country care about us?',
    // Consular help for a traveller with two passports is not a visa question.
    'our councillor has dual citizenship and will travel on her other passport for the visa. can the embassy still help her if things go wrong?',
    // A council's links, not a person's; and rates as how a programme is funded.
    "Dunedin's sister cities: which of their links are dormant now?",
    'is the sister city programme paid for out of rates?',
    // "Mad" or "crazy" about oneself or a situation is not a verdict asked for.
    'am I mad to worry about the interpreter always asking about the port?',
    'is it crazy to keep using my council phone on the trip?',
    // A time of day that is part of the story, and what someone said asked about, not judged.
    'what time is it best to ring the SIS line? someone approached me at 9am today',
    'is the mayor right that we need to tell the SIS about every visit?',
  ])('"%s" is a fair question, not declined', (q) => {
    expect(detectOutOfScope(q)).toBeUndefined();
  });

  it('points an emergency to 111 and never to the chat', () => {
    expect(replyToPlain(ask('our mayor has just been arrested overseas').reply)).toMatch(
      /call 111/,
    );
  });
});

describe('sister-city register', () => {
  it("leaves a question to the guidance when it asks for a detail the council's record never gives", () => {
    const cost = ask("how much did Hamilton's 2023 trip to Chengdu cost ratepayers in total");
    expect(cost.reply.entryId ?? '').not.toMatch(/^register:/);
    // Questions the record does answer still get it, and an unlisted council still gets the pointer.
    expect(ask('how many sister cities does Hamilton have?').reply.entryId).toBe(
      'register:hamilton',
    );
    expect(ask('when did Invercargill twin with Kumagaya?').reply.entryId).toBe(
      'register:invercargill',
    );
    expect(ask('how many sister cities does Kaikōura have?').reply.entryId).toMatch(
      /^register:not-listed/,
    );
  });

  it("lists a council's sister cities with years, and says what else the register holds", () => {
    const a = ask("what are Hamilton's sister cities?");
    expect(a.answered).toBe(true);
    expect(a.reply.entryId).toBe('register:hamilton');
    const text = replyToPlain(a.reply);
    expect(text).toContain('Chengdu, China (since 2015)');
    expect(text).toContain('Sacramento, United States');
    expect(text).toContain(
      "The register also holds Hamilton's review practice and the advice it takes",
    );
    expect(text).not.toContain('Councillors reviewed');
    expect(text).toContain('Fixture Hamilton source');
    expect(text).toContain('Fixture register source');
  });

  it('shows review practice or advice when asked, with their own sources', () => {
    const review = replyToPlain(ask('how does Hamilton review its sister cities?').reply);
    expect(review).toContain('Review practice (Hamilton):\n\n- Councillors reviewed');
    expect(review).toContain('https://example.org/hamilton-review');
    expect(review).not.toContain('https://example.org/hamilton-advice');
    const advice = ask('does Hamilton check trips with MFAT?');
    expect(advice.reply.entryId).toBe('register:hamilton');
    expect(replyToPlain(advice.reply)).toContain(
      'Advice it takes (Hamilton):\n\n- The council checks every trip to a sister city with MFAT first.',
    );
    expect(replyToPlain(advice.reply)).toContain('https://example.org/hamilton-advice');
  });

  it('renders a disputed year with both years and both sources', () => {
    const text = replyToPlain(ask('when did Invercargill twin with Suqian?').reply);
    expect(text).toMatch(
      /^Invercargill and Suqian \(China\) have been sister cities since 2010 or 2011: sources differ\. A planned trip was put off after a budget cut\. One fixture source gives 2010 and another gives 2011\./,
    );
    expect(text).toContain('https://example.org/suqian-a');
    expect(text).toContain('https://example.org/suqian-b');
  });

  it('says when an NZ council is not in the register, and points to Global Cities NZ', () => {
    const a = ask("what are Kaikōura's sister cities?");
    expect(a.answered).toBe(true);
    expect(a.reply.entryId).toBe('register:not-listed:kaikoura');
    const text = replyToPlain(a.reply);
    expect(text).toMatch(/^The register has no entry for Kaikōura \(Kaikōura District Council\)\./);
    expect(text).toContain('Global Cities New Zealand (https://globalcities.org.nz/)');
    expect(a.reply.blocks).toContainEqual(
      expect.objectContaining({
        type: 'sources',
        sources: [expect.objectContaining({ url: 'https://globalcities.org.nz/' })],
      }),
    );
    // Only a question about ties gets it: the rugby in Kaikōura is not one.
    expect(ask('who won the rugby in Kaikoura?').reply.kind).toBe('no-guidance');
    // "trans-Tasman", "across the Tasman" and "the Tasman Sea" are about the sea, not the Tasman
    // District; the district itself still gets the pointer.
    for (const q of [
      'do trans-Tasman sister city links need approval?',
      'do councils across the Tasman need approval for a sister city agreement?',
      'on the other side of the Tasman Sea, can the government cancel a council sister city?',
      'In Australia do councils need sign-off for a sister city deal? And is there anything like that on our side of the Tasman?',
    ])
      expect(ask(q).reply.entryId).not.toBe('register:not-listed:tasman');
    expect(ask('does Tasman have any sister cities?').reply.entryId).toBe(
      'register:not-listed:tasman',
    );
  });

  it('answers when a council twinned with a partner city', () => {
    const text = replyToPlain(ask('when did Invercargill twin with Kumagaya?').reply);
    expect(text).toMatch(
      /^Invercargill and Kumagaya \(Japan\) have been sister cities since 1993\./,
    );
  });

  it('understands "linked to" and "partnered with" as asking about ties', () => {
    expect(ask('which American city is Hamilton linked to?').reply.entryId).toBe(
      'register:hamilton',
    );
    expect(ask('how long has Invercargill been partnered with Kumagaya').reply.entryId).toBe(
      'register:invercargill',
    );
  });

  it('finds a council by its te reo Māori name, macrons or not', () => {
    expect(ask('Kirikiriroa sister cities').reply.entryId).toBe('register:hamilton');
  });

  it('does not answer from the register when the question is not about ties', () => {
    const a = ask('who won the rugby in Invercargill?');
    expect(a.answered).toBe(false);
    expect(a.reply.kind).toBe('no-guidance');
  });

  it('rejects a broken register, naming the council and field', async () => {
    const { cp, mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'sca-reg-'));
    try {
      await cp(FIXTURE_KNOWLEDGE, dir, { recursive: true });
      const { readFile } = await import('node:fs/promises');
      const yaml = (await readFile(join(dir, 'sister-cities.yaml'), 'utf8')).replace(
        'since: 2015',
        'since: last year',
      );
      await writeFile(join(dir, 'sister-cities.yaml'), yaml);
      await expect(loadKnowledge(dir)).rejects.toThrow(
        /sister-cities\.yaml, entry "council Hamilton", field "relationships\.0\.since"/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('declines added from the curated examples (opinions of people, politics, keeping things off a return)', () => {
  it.each([
    ['What does Cr Phillips really think about ending the sister city?', 'person'],
    [
      'Is the trade rep who wants to meet the mayor a real diplomat or an intelligence officer?',
      'person',
    ],
    [
      'Is it morally wrong to keep a sister city in a country with human rights abuses?',
      'political',
    ],
    ['which candidates are soft on China? want to know who not to vote for', 'political'],
    ["whats the easiest way to leave the Kobe trip off my members' return", 'evasion'],
    ['if i just dont mention that the hosts paid, will anyone notice', 'evasion'],
    ['Which of our councillors have been interviewed by the SIS?', 'personal-data'],
    // From the study sets (round 6).
    [
      'One of the mayoral candidates here got a big donation from a business with overseas links. Should I still vote for her?',
      'political',
    ],
    ['should we vote against the deputy mayor at the election?', 'political'],
    [
      'Our rates went up 14% this year. How does that compare with other councils around the country?',
      'council-services',
    ],
    ['why are rates going up again', 'council-services'],
    // From the study sets (round 7).
    [
      'A candidate in my ward is getting a lot of money from one business community. Should people vote for her or not?',
      'political',
    ],
    [
      'Half the table wants the sister city dumped, the other half says it is great for students. Can you just tell us which side is right?',
      'political',
    ],
    [
      'Kia ora, attaching the 12-page cooperation agreement our partner city sent over (pdf). Can you go through it and flag anything risky?',
      'task',
    ],
    ['pls review the attached MOU before the hui', 'task'],
    ["how do we list the trip so the auditors don't notice it was paid for?", 'evasion'],
    ['can we keep it quiet so that nobody at council finds out?', 'evasion'],
    ['Translate these welcome remarks into Japanese for the ceremony in Kumagaya', 'task'],
    ['Write up a 3-day itinerary for the Saitama group arriving on the 12th.', 'task'],
    ['book flights akl to chengdu for 3 people on 14 march pls', 'task'],
    [
      'Put together a four-day itinerary for the visiting Wuxi group, including a port tour',
      'task',
    ],
    [
      'The Japanese delegation lands Thursday and our speech is only in English. Can you translate it into Japanese for me?',
      'task',
    ],
    [
      'The mayor needs a 3-minute speech for the welcome hui on Friday. Could you write something with a bit of te reo?',
      'task',
    ],
  ])('declines %j as %s', (q, kind) => {
    expect(detectOutOfScope(q)).toBe(kind);
  });

  it.each([
    'What are the signs someone is a spy rather than a real diplomat?',
    'do I have to declare the trip on my members return?',
    'can I leave my own laptop off the trip and take a loan one instead?',
    'should we register on SafeTravel before the trip?',
    'Can a candidate who got a donation from a foreign business still stand for council?',
    'what are the rules on voting on a matter where I have a foreign interest?',
    'does a sister city trip come out of the rates budget?',
    'what should I check before signing an MOU with an attached annex of projects?',
    'can people vote for a candidate who took a foreign donation?',
    'why would a foreign govt even care about a district council? we do rubbish collection and dog rego lol',
    'what kind of stuff can you actually help me with? can you write things for me or only answer questions?',
    'translated speeches from the sister city - anything to watch for in what they say?',
    "how do I sign our whole group up with MFAT so they know we're there? do I need everyone's ok first?",
    'we fly to Chengdu next week and his passport runs out in 4 months. is that going to be a problem?',
  ])('still answers %j as guidance', (q) => {
    expect(detectOutOfScope(q)).toBeUndefined();
  });
});
