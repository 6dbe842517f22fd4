import {
  askedRegion,
  type Entry,
  findPartnerCities,
  findPlaces,
  type Knowledge,
  literal,
  type Register,
  type RegisterCouncil,
  type Relationship,
} from './knowledge/index.js';
import type { Reply } from './model.js';
import {
  councilsTiesReply,
  countryTiesReply,
  firstTieReply,
  notListedReply,
  type RegisterTopic,
  regionTiesReply,
  registerCouncilsReply,
  registerReply,
  statusTiesReply,
} from './register-reply.js';
import {
  answerReply,
  noGuidanceReply,
  outOfScopeReply,
  replyToPlain,
  smallTalkReply,
  unsureReply,
} from './replies.js';
import {
  analyse,
  type Curated,
  curatedFor,
  type DenseHit,
  detailMissing,
  detailsStated,
  detectOutOfScope,
  detectSmallTalk,
  foldText,
  type Hit,
  type OutOfScope,
  type Retrieval,
  type Retriever,
  stripGreeting,
  stripNoise,
} from './retrieval/index.js';

/** A suggestion below this coverage is too weak even to offer as "the closest guidance". */
const SUGGEST_COVERAGE = 0.3;
/**
 * A refusal with a confidence of at least this share of the threshold is a near miss: most often
 * the right entry, just short of sure. On the study sets, the dev half and the suite, 22 of the 36
 * refusals at half the threshold or more had a right entry first (5 a wrong one, 9 were out of
 * scope). A near miss offers the closest entries to tap, without the list of everything the bot
 * covers.
 */
const NEAR_SHARE = 0.5;
/** Entries a near miss offers, at most; after the first, each must score this share of its score. */
const NEAR_OFFERS = 3;
const NEAR_RUNNER_UP = 0.5;

/** The outcome of answering one question. */
export interface Answer {
  reply: Reply;
  answered: boolean;
  /** The best entry, whether or not it was confident enough to answer. */
  top?: Hit;
  /** Set when the question was declined as out of scope. */
  declined?: OutOfScope;
  /** Ranked entry ids considered, best first (for evaluation). */
  ranked: string[];
  /** The retrieval behind a guidance answer or refusal, for an optional LLM rewrite. */
  retrieval?: Retrieval;
}

/**
 * True when the question is about sister-city ties ("sister city", "twin", "partner city");
 * `folded` is the question as `foldText` gives it.
 */
function asksAboutTies(text: string, folded: string): boolean {
  return (
    analyse(text).some((g) => g.includes('sistercity')) ||
    /\b(partner|friendship|friendly|twin) cit(y|ies)\b|\b(twinned|partnered|paired|linked) (with|to)\b/i.test(
      text,
    ) ||
    TIE_WORDS.test(folded)
  );
}

/**
 * Other ways of asking about a council's ties: "its international ties", "our overseas links",
 * "its overseas city links", "intl links", "a link with a city in Korea", "a link with a South
 * Korean city", "links with any cities overseas".
 */
const TIE_WORDS =
  /\b(overseas|international|intl|foreign|offshore) ((city|cities|town|towns|sister|twin) )?(relationships?|ties|links?|partnerships?|connections?)\b|\b(links?|ties|relationships?|connections?) (with|to) ((a|an|any|some) )?(\w+ ){0,2}(cit(y|ies)|towns?|municipalit(y|ies))\b/;

/**
 * Words that ask about a part of a council's record. The second pattern's words are commoner ("run",
 * "spend", "managed"): they count only in a question that also asks about ties ("who runs
 * Tauranga's sister cities?"), not in one that names the council in passing ("our comms team in
 * Napier wants to run some accounts through it").
 */
const TOPIC_WORDS: [RegisterTopic, RegExp, RegExp?][] = [
  [
    'practice',
    /\b(reviews?|reviewed|reviewing|polic(y|ies)|strateg(y|ies)|how often|every (term|year)|committees?|budgets?|funding)\b/,
    /\b(funded|spend|spent|costs?|run|runs|managed?|manages|oversees?|govern(s|ance)?)\b/,
  ],
  [
    'advice',
    /\b(mfat|foreign affairs|nzsis|sis|security intelligence|spy agency|advice|advised?|advises|brief(s|ed|ing|ings)?|checks?|checked|checking|vets?|vetted|vetting|consults?|consulted)\b/,
  ],
  ['notes', /\b(notes?|anything else|background|history)\b/],
];

const aboutCache = new WeakMap<Knowledge, Map<string, Entry[]>>();

/** Guidance entries written about one council (by its name): those whose title names it. */
function guidanceAbout(knowledge: Knowledge, council: string): Entry[] {
  let about = aboutCache.get(knowledge);
  if (!about) {
    about = new Map();
    for (const e of knowledge.entries) {
      const { listed, unlisted } = findPlaces(knowledge, e.title);
      for (const name of [...listed.map((c) => c.council), ...unlisted.map((c) => c.name)])
        about.set(name, [...(about.get(name) ?? []), e]);
    }
    aboutCache.set(knowledge, about);
  }
  return about.get(council) ?? [];
}

/** True when a question asks which place holds a tie: "which NZ city is twinned with Otaru?" */
function asksWhichPlace(text: string): boolean {
  // "Is that where sister cities started?" asks where the idea began, not which place holds a tie;
  // so does "Where did the twin-town idea start? … how many links does NZ have?", whose "NZ" is
  // in another sentence: each sentence is read on its own. The gap is bounded so a long message
  // of repeated "who" stays linear.
  return text.split(/[?!\n]+|\.\s+(?=[A-Z])/).some((sentence) => {
    const folded = foldText(sentence);
    return (
      /\b(which|what)\s+(\w+\s+){0,2}(nz|new zealand|councils?|city|cities|towns?|places?|districts?)\b/.test(
        folded,
      ) || /\b(who|where)\b.{0,120}\b(nz|new zealand|councils?)\b/.test(folded)
    );
  });
}

/**
 * Which parts of a council's register entry beyond its ties a (folded) question asks about;
 * `asksTies` when it also asks about ties.
 */
function registerTopics(folded: string, asksTies: boolean): RegisterTopic[] {
  return TOPIC_WORDS.filter(
    ([, words, withTies]) => words.test(folded) || (asksTies && withTies?.test(folded)),
  ).map(([topic]) => topic);
}

/**
 * What staff may accept, claim or carry. A council's rules on these are not in its register record,
 * which holds its sister-city ties and practice only; the guidance covers them in general.
 */
const CONDUCT =
  /\b(gifts?|presents?|hospitality|koha|allowances?|per diem|meals?|hotels?|accommodation|expenses|travel polic(y|ies)|conflicts? of interest|devices?|phones?|laptops?)\b|\b(can|may|should|could|must) (i|we|staff|councillors|the mayor|she|he|they) (accept|keep|declare)\b|\b(do|does|should|must) (i|we|she|he|they) (have to |need to )?declare\b/;

/**
 * Answers from the sister-city register. A question that asks about ties ("Hamilton's sister
 * cities"), or about a listed council's review practice or advice ("does Hamilton check trips
 * with MFAT?"), goes to the register first; one that only names both sides of a tie
 * ("Invercargill's MOU with Suqian") goes there only when no guidance entry answers it. Ties of
 * an NZ council the register has no entry for get a reply that says so.
 */
function fromRegister(
  knowledge: Knowledge,
  text: string,
): { answer: Answer; onlyIfNoGuidance: boolean } | undefined {
  const register = knowledge.register;
  if (!register) return undefined;
  // "Wellington's policy on gifts from its sister cities", "our partner city paid for my hotel":
  // the record never answers these, not even when nothing else does.
  const folded = foldText(text);
  if (CONDUCT.test(folded)) return undefined;
  const { listed, unlisted } = findPlaces(knowledge, text);
  // "Tell Canberra first", "does Beijing have to sign off?": a national capital named as the one
  // who is told or who approves is its country's government, not a partner city ("the tie with
  // Canberra" still is), unless an NZ council is named or the question asks which NZ place.
  const partners = findPartnerCities(register, text).filter(
    (p) =>
      !actsAsGovernment(foldText(p.rel.city), folded) || listed.length > 0 || asksWhichPlace(text),
  );
  const asks = asksAboutTies(text, folded);
  const done = (reply: Reply, onlyIfNoGuidance: boolean, related: Entry[] = []) => ({
    answer: {
      reply,
      answered: true,
      ranked: [...(reply.entryId ? [reply.entryId] : []), ...related.map((e) => e.id)],
    },
    onlyIfNoGuidance,
  });
  // "Which councils in the Canterbury region have sister cities in Japan?": the register's
  // councils there, not every council with a tie in Japan, nor the regional council alone.
  const inRegion = askedRegion(knowledge.nzCouncils, text);
  if (inRegion && knowledge.nzCouncils) {
    const country = namedCountry(register, folded);
    const reply = regionTiesReply(
      register,
      knowledge.nzCouncils,
      inRegion,
      country,
      register.reviewed,
    );
    return done(reply, false);
  }
  // Questions across the register are about NZ councils: "which Queensland councils have
  // twin-city arrangements with Chinese cities?" is not answered by listing them.
  const acrossNz = !listed.length && !unlisted.length && !FOREIGN_COUNCILS.test(folded);
  // "Which councils does the register cover?", "what councils do you have sister city info for?"
  if (acrossNz && ASKS_COVERAGE.test(folded))
    return done(registerCouncilsReply(register, knowledge.nzCouncils), false);
  // "Which council had the first sister city in China?": the oldest ties across the register.
  const country = acrossNz && asks ? firstTieCountry(folded) : undefined;
  if (country) {
    const reply = firstTieReply(register, country, knowledge.nzCouncils);
    if (reply) return done(reply, false);
  }
  // "Has any NZ council actually ended a sister city?": the ties recorded as ended (or dormant).
  const statuses =
    acrossNz && (asks || LINK_WORDS.test(folded)) ? askedStatuses(folded) : undefined;
  if (statuses) {
    const country = namedCountry(register, folded);
    const reply = statusTiesReply(register, statuses, country, knowledge.nzCouncils);
    if (reply) return done(reply, false);
  }
  // "Which councils have a sister city in Korea?", "which NZ councils have links with South
  // Korea?": every council with a tie there.
  // A question about ties that ended or went quiet is not one (above: for a reason, it is the
  // guidance's: "has any council cut ties with a Chinese city because of interference?").
  const inCountry =
    acrossNz && (asks || LINK_WORDS.test(folded)) && !ENDED.test(folded) && !QUIET.test(folded)
      ? councilsTiedIn(register, folded)
      : undefined;
  if (inCountry) {
    const reply = countryTiesReply(register, inCountry, knowledge.nzCouncils);
    if (reply) return done(reply, false);
  }
  if (!listed.length && unlisted[0] && knowledge.nzCouncils && asks) {
    // Guidance written about the council (Auckland's review, say) answers better, if it matches.
    const related = guidanceAbout(knowledge, unlisted[0].name);
    return done(
      notListedReply(knowledge.nzCouncils, unlisted, { partners, related }, register.reviewed),
      related.length > 0,
      related,
    );
  }
  // A council the question names comes first; else the council of the partner city it names.
  // Of several, one named only as where someone is ("from auckland airport on the way home –
  // how many sister cities does selwyn have?") comes last.
  // The councils asked about: not those named only as where someone is, or as the asker's own.
  const subjects = listed.filter((c) => !onlyWhereSomeoneIs(text, c) && !onlyTheAskersOwn(text, c));
  const council =
    listed.find((c) => partners.some((p) => p.council === c)) ??
    subjects[0] ??
    listed.find((c) => !onlyWhereSomeoneIs(text, c)) ??
    listed[0] ??
    partners[0]?.council;
  if (!council) return undefined;
  // "What sister cities do Hamilton and Tauranga have?": each council asked about, in turn,
  // unless the question names a partner city or a part of the record.
  if (
    subjects.length > 1 &&
    asks &&
    !partners.length &&
    registerTopics(folded, false).length === 0
  ) {
    const reply = councilsTiesReply(register, subjects, namedCountry(register, folded));
    if (reply) return done(reply, false);
  }
  const partner = partners.find((p) => p.council === council)?.rel;
  // "Whats the number to ring the SIS? back in Hamilton now", "what has the SIS said about
  // partner cities? I was in Napier for the cyclone": a council named only as where someone is
  // is the question's subject only when the sentences naming it ask about it.
  const whereOnly = listed.includes(council) && onlyWhereSomeoneIs(text, council);
  const naming = whereOnly ? sentencesNaming(text, council).join(' ') : text;
  const namingFolded = whereOnly ? foldText(naming) : folded;
  const councilNamed =
    listed.includes(council) &&
    (!whereOnly ||
      asksAboutTies(naming, namingFolded) ||
      registerTopics(namingFolded, false).length > 0);
  const topics = councilNamed ? registerTopics(namingFolded, asks) : [];
  const asksFacts = topics.some((t) => council[t].length > 0);
  // "Whanganui sent a delegation to Japan for the 30th: who paid for what?" never says "sister
  // city", but asks what a note in the council's record says: the record answers it if no
  // guidance entry does.
  const noted =
    !(asks || asksFacts || partner) && councilNamed ? notedIn(council, text, listed) : undefined;
  if (noted) {
    const related = guidanceAbout(knowledge, council.council);
    return done(registerReply(register, council, { ...noted, related }), true, related);
  }
  // Naming a place is not enough: "just got back from Kumagaya" is about the trip, not the tie.
  if (!(asks || asksFacts || (partner && councilNamed))) return undefined;
  const elsewhere = partners.filter((p) => p.council !== council);
  // A partner city alone is about the tie only when the question asks which NZ place has it:
  // "tell Canberra about our sister city deals" is about Australia's government.
  // A council and its own partner city named with a question of time ("Dunedin-Edinburgh, how
  // old?", "marlborough tendo, how did that start") asks about the tie itself.
  const aboutTheTie =
    (councilNamed && partner !== undefined && ASKS_WHEN.test(folded)) ||
    ((councilNamed || asksWhichPlace(text)) && (asks || asksFacts));
  const related = guidanceAbout(knowledge, council.council);
  return done(
    registerReply(register, council, { partner, topics, elsewhere, related }),
    !aboutTheTie,
    related,
  );
}

/** A council's names, folded, as whole words. */
function namePattern(council: RegisterCouncil): RegExp {
  const names = [council.place, ...council.aliases].map((n) => literal(foldText(n)));
  return new RegExp(`\\b(${names.join('|')})\\b`, 'g');
}

/**
 * True when every mention of the council is a place someone is or was in ("back in Hamilton
 * now", "I was in Napier for the cyclone recovery", "the hui in Whakatū", "at Auckland Airport"), not
 * the council itself or where the asker works.
 */
function onlyWhereSomeoneIs(text: string, council: RegisterCouncil): boolean {
  const folded = foldText(text);
  const at = [...folded.matchAll(namePattern(council))];
  return (
    at.length > 0 &&
    at.every((m) => {
      const before = folded.slice(Math.max(0, (m.index ?? 0) - 40), m.index);
      const after = folded.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 20);
      // "Back in Hamilton", or its airport: "from auckland airport on the way home".
      if (/^\s(international )?airport\b/.test(after)) return true;
      return (
        /\b(in|near|around)\s$/.test(before) &&
        // Where someone works is their council: "just started in the team in Hutt City".
        !/\b(work|works|working|worked|started|starting|job|team|role|based|employed)\b/.test(
          before,
        ) &&
        !/^s?\s*(city |district )?council\b/.test(after)
      );
    })
  );
}

/**
 * True when every mention of the council is the asker's own council ("I work at Hutt City but
 * I'm asking about Nelson", "our council is Porirua, but what does Napier have?"): of several
 * councils named, the one asked about is another.
 */
function onlyTheAskersOwn(text: string, council: RegisterCouncil): boolean {
  const folded = foldText(text);
  const at = [...folded.matchAll(namePattern(council))];
  return (
    at.length > 0 &&
    at.every((m) => OWN_COUNCIL.test(folded.slice(Math.max(0, (m.index ?? 0) - 30), m.index)))
  );
}

/** Words just before the asker's own council: "I work at", "I'm from", "our council is". */
const OWN_COUNCIL =
  /\b(i work (at|for|in)|i m (at|from|with|in)|im (at|from|with|in)|i am (at|from|with|in)|we re|we are|were (at|from)|our council is|here at|based at|working (at|for))\s(the\s)?$/;

/** The sentences of a question that name the council. */
function sentencesNaming(text: string, council: RegisterCouncil): string[] {
  const re = namePattern(council);
  return text.split(/(?<=[.?!])\s+|\n+/).filter((s) => {
    re.lastIndex = 0;
    return re.test(foldText(s));
  });
}

/** How many of a question's own words one note must hold, at least, and what share of them. */
const NOTE_MIN_WORDS = 3;
const NOTE_MIN_SHARE = 0.6;

/** A council's place names and its notes, analysed once (the analysis keeps only a few texts). */
interface CouncilTerms {
  /** The council's own names. */
  names: ReadonlySet<string>;
  /** Its partner cities' and their countries' names. */
  partners: ReadonlySet<string>;
  /** Each note's terms, with the tie it is on or the part of the record it is in. */
  notes: { said: ReadonlySet<string>; partner?: Relationship; topic?: RegisterTopic }[];
}
const councilTermsCache = new WeakMap<RegisterCouncil, CouncilTerms>();

function councilTerms(council: RegisterCouncil): CouncilTerms {
  let t = councilTermsCache.get(council);
  if (!t) {
    const termsOf = (texts: string[]) => new Set(texts.flatMap((x) => analyse(x).flat()));
    t = {
      names: termsOf([council.place, ...council.aliases]),
      partners: termsOf(council.relationships.flatMap((r) => [r.city, r.country, ...r.aliases])),
      notes: [
        ...council.relationships.flatMap((r) =>
          r.note ? [{ said: termsOf([r.note]), partner: r }] : [],
        ),
        ...(['practice', 'advice', 'notes'] as const).flatMap((topic) =>
          council[topic].map((f) => ({ said: termsOf([f.text]), topic })),
        ),
      ],
    };
    councilTermsCache.set(council, t);
  }
  return t;
}

/**
 * The note in a council's record (on a tie, or on its practice, advice or history) that holds
 * most of what the question asks about in its own words, as what to show: at least three of the
 * question's words and three in five of them, leaving out place names, which only say whose
 * record it is. Ties' notes come first. Undefined when no note does.
 */
function notedIn(
  council: RegisterCouncil,
  text: string,
  /** The councils the question names. */
  listed: readonly RegisterCouncil[],
): { partner?: Relationship; topics: RegisterTopic[] } | undefined {
  const own = councilTerms(council);
  const named = listed.map(councilTerms);
  const isPlace = (t: string) => own.partners.has(t) || named.some((c) => c.names.has(t));
  const asked = analyse(text).filter((group) => !group.some(isPlace));
  if (asked.length < NOTE_MIN_WORDS) return undefined;
  const note = own.notes.find(({ said }) => {
    const held = asked.filter((group) => group.some((t) => said.has(t))).length;
    return held >= NOTE_MIN_WORDS && held >= asked.length * NOTE_MIN_SHARE;
  });
  if (!note) return undefined;
  return note.partner
    ? { partner: note.partner, topics: [] }
    : { topics: note.topic ? [note.topic] : [] };
}

/** National capitals, which questions often name for their governments. */
const CAPITALS =
  /^(canberra|beijing|tokyo|seoul|taipei|washington( dc)?|ottawa|london|paris|berlin|moscow|new delhi|jakarta|hanoi|manila|bangkok|suva|apia)$/;

/**
 * True when `city` (folded) is a national capital that the folded question names as a government:
 * one that is told, asked or registered with ("tell Canberra", "like Aussie councils do with
 * Canberra"), or that approves ("does Beijing have to sign off?").
 */
function actsAsGovernment(city: string, folded: string): boolean {
  return (
    CAPITALS.test(city) &&
    new RegExp(`\\b${TOLD} ${city}\\b|\\b${city} ${APPROVES}\\b`).test(folded)
  );
}

/** Words before a government that is told, asked or registered with. */
const TOLD =
  '(tell|tells|told|telling|notify|notifies|notified|inform|informs|informed|ask|asked|check with|checked with|report to|reported to|register (it |them )?with|approval (from|of)|sign ?off (from|by)|permission (from|of)|consent (from|of)|do with|did with|does with)';
/** Words after a government that approves. */
const APPROVES =
  '((has|have|had|must|needs?|would|will|should) to (sign|approve|agree|know|be told|be notified|ok|okay)|approves?|signs? off|decides?|okays?)';

/** Countries a question may name, as the register spells them. */
const COUNTRY_WORDS: [RegExp, string][] = [
  [/\b(china|chinese|prc|peoples? republic)\b/, 'China'],
  [/\b(japan|japanese)\b/, 'Japan'],
  [/\b(usa?|america|american|united states|the states)\b/, 'United States'],
  [/\b(australia|australian|aussie|oz)\b/, 'Australia'],
  [/\b(korea|korean)\b/, 'South Korea'],
];

/**
 * The first or oldest of something: "the first sister city", "very first", "was first", "first
 * ever", "oldest". "Do they have to tell Canberra first?" means beforehand, and "our first trip" or
 * "the first visit" is the asker's own trip, not a tie.
 */
const FIRST_TIE =
  /\b(the|very|its|their|our|a|was|were|is|be) (first|earliest|oldest)\b(?! (trips?|visits?|delegations?|tours?|missions?|outings?|time|go|meetings?|steps?|things?|days?|weeks?|months?|years?|jobs?|roles?|overseas|international|hosting|contacts?|exchange (trips?|visits?)|proper)\b)|\b(earliest|oldest|longest running|longest standing)\b|\bfirst (ever|nz|new zealand|kiwi|councils?|city|cities|sister|twin|twinning|ties?|links?|partners?|partnerships?|friendship|relationships?|one)\b/;

/**
 * The country of a (folded) question that asks for the first or oldest tie with it, across councils
 * ("which council had the first sister city with mainland China?", "very first japan - nz link").
 */
function firstTieCountry(folded: string): string | undefined {
  if (!FIRST_TIE.test(folded)) return undefined;
  const found = COUNTRY_WORDS.filter(([re]) => re.test(folded));
  return found.length === 1 ? found[0]?.[1] : undefined;
}

/**
 * Councils of another country ("Queensland councils", "councils in the UK", "Aussie councils"):
 * the register holds New Zealand's.
 */
const FOREIGN_COUNCILS =
  /\b(queensland|victorian|nsw|new south wales|tasmanian|australian|aussie|uk|british|english|scottish|welsh|canadian|american) (state |local |city |district )?(councils?|local governments?|local authorities|municipalities|mayors)\b|\b(councils?|local governments?|local authorities|municipalities) (in|across|from) (queensland|victoria|nsw|new south wales|tasmania|australia|the uk|britain|england|scotland|wales|canada|the us|the usa|america|the states)\b/;

/**
 * Asks across councils: "has any NZ council…", "which ties…", "have councils ever…", "any
 * dormant sister cities in the register?", "list the ended ties".
 */
const ASKS_ANY =
  /\b(has|have|did) any\b|\bany (nz |new zealand |kiwi |other )?(councils?|cities|towns|examples?|cases?)\b|\b(which|ever)\b|\bany (\w+ ){0,2}(sister cit(y|ies)|ties|links|relationships|partnerships)\b|\b(list|show|name)( me)?( all)?( of)?( the)? (\w+ ){0,2}(sister cities|ties|links|relationships|partnerships)\b/;
/** A tie that has been ended ("dumped", "cut ties"), in the past tense: "how do we end one?" is not. */
const ENDED =
  /\b(ended|dropped|cut (ties|links?|off)|cancell?ed|terminated|scrapped|dumped|ditched|severed|pulled out of|walked away from|broken off|broke off|discontinued|wound up)\b/;
const GIVES_REASON =
  /\b(why|because|due to|over (security|concerns?|interference|spying|espionage|worries)|security (worries|concerns?|reasons?)|for security)\b/;
const QUIET =
  /\b(dormant|inactive|gone quiet|go quiet|gone cold|lapsed|fizzled|died off|not active|no longer active)\b/;

/**
 * The statuses a (folded) question asks for across the register ("has any NZ council actually ended a
 * sister city, or do they just let them go quiet?"): ended ties, dormant ones, or both.
 */
function askedStatuses(folded: string): NonNullable<Relationship['status']>[] | undefined {
  // The register records no reasons: "…ended a sister city because of security worries?" is a
  // question for the guidance on how councils are handling their ties.
  if (!ASKS_ANY.test(folded) || GIVES_REASON.test(folded)) return undefined;
  const statuses: NonNullable<Relationship['status']>[] = [];
  if (ENDED.test(folded)) statuses.push('ended');
  if (QUIET.test(folded)) statuses.push('dormant', 'paused');
  return statuses.length ? statuses : undefined;
}

/** The one country a (folded) question names, if it names exactly one the register knows. */
function namedCountry(register: Register, folded: string): string | undefined {
  const named = new Set<string>();
  for (const [re, country] of [...COUNTRY_WORDS, ...registerCountries(register)])
    if (re.test(folded)) named.add(country);
  return named.size === 1 ? [...named][0] : undefined;
}

/**
 * Asks which councils the register (or the advisor) holds: "which councils does the register
 * cover?", "what councils are in your register?", "which councils do you have sister city info
 * for", "list all the councils you know about".
 */
const ASKS_COVERAGE =
  /\b(which|what) councils (does|do|is|are) (the |your |this )?(register|list|records?|database)\b|\b(which|what) councils (are|is) (in|on|covered by|listed in) (the |your |this )?(register|list|records?|database)\b|\b(which|what|list( me)?( all)?( of)?) (the )?councils (do|can|does) (you|the bot|the advisor) (have|know|cover|hold|track)\b|\b(list|show|name)( me)?( all)?( of)? (the )?councils (you|in (the |your )?register|on (the |your )?list)\b|\bcouncils (do )?you (know|have (info|information|records?|data|details)) (about|on|for)\b/;

/** Plain words for a tie, enough in a question that asks which councils have one in a country. */
const LINK_WORDS = /\b(links?|ties|relationships?|connections?|partnerships?)\b/;

/**
 * "Which councils have…", "any NZ councils twinned with…", "which councils on your list have…",
 * "give me a few NZ councils with…".
 */
const ASKS_WHICH_COUNCILS =
  /\b(which|what|any|how many|(?:give|name|list|show)(?: me)? (?:a few|some|a couple of))\s+(nz\s+|new zealand\s+|kiwi\s+|other\s+)?(councils?|cities|towns|places|districts|regions)\b(\s+\w+){0,5}?\s+(have|has|had|with|are|is|twinned|linked|paired|got)\b/;

/**
 * The one country of a (folded) question that asks which councils have ties there ("any NZ councils twinned
 * with somewhere in Belgium?"): the countries the register knows, by name or by the words above.
 */
function councilsTiedIn(register: Register, folded: string): string | undefined {
  if (!ASKS_WHICH_COUNCILS.test(folded)) return undefined;
  return namedCountry(register, folded);
}

const countryNames = new WeakMap<Register, [RegExp, string][]>();

/** Every country in the register, matched by its name ("England (United Kingdom)" by "England"). */
function registerCountries(register: Register): [RegExp, string][] {
  let names = countryNames.get(register);
  if (!names) {
    const countries = new Set(
      register.councils.flatMap((c) => c.relationships.map((r) => r.country)),
    );
    names = [...countries].flatMap((country): [RegExp, string][] => {
      const plain = foldText(country.replace(/\(.*\)/, ''));
      return plain ? [[new RegExp(`\\b${plain}\\b`), country]] : [];
    });
    countryNames.set(register, names);
  }
  return names;
}

/** Words that ask when a tie began or how old it is. */
const ASKS_WHEN =
  /\b(how old|how long|what year|which year|when|since|start|started|starting|began|begin|anniversary|first)\b/;

/** Where a question goes before any search: small talk, a declined kind, or the search itself. */
export type Prepared =
  | { kind: 'small-talk'; smallTalk: NonNullable<ReturnType<typeof detectSmallTalk>> }
  | { kind: 'declined'; declined: OutOfScope }
  | { kind: 'register'; answer: Answer }
  | {
      kind: 'search';
      question: string;
      register?: Answer;
      /** The entries whose curated example questions include this one, word for word. */
      curated?: string[];
      /** A curated decline with no reply of its own (`unrelated`): refused, whatever the models say. */
      refuse?: true;
    };

/**
 * Sorts a message: small talk, then questions to decline in their own way, then the sister-city
 * register; anything else is searched. Greetings, sign-offs, names, emails, phone numbers and links
 * are stripped first, so they neither count against the question nor reach a model. A question
 * that is one of an entry's curated example questions, word for word (with or without what was
 * stripped), is searched and answered from that entry, ahead of the decline rules and the
 * register: a curator listed it there. An emergency still gets the emergency reply.
 */
export function prepareQuestion(
  knowledge: Knowledge,
  text: string,
  curated: Curated = curatedFor(knowledge),
): Prepared {
  const small = detectSmallTalk(text);
  if (small) return { kind: 'small-talk', smallTalk: small };
  const question = stripGreeting(stripNoise(text));
  const declined = detectOutOfScope(question);
  if (declined === 'emergency') return { kind: 'declined', declined };
  const asTyped = curated.match(text);
  const asAsked = question === text ? undefined : curated.match(question);
  const owners = asTyped?.owners ?? asAsked?.owners;
  if (owners) return { kind: 'search', question, curated: owners };
  if (declined) return { kind: 'declined', declined };
  const listed = asTyped?.declined ?? asAsked?.declined;
  if (listed === 'unrelated') return { kind: 'search', question, refuse: true };
  if (listed) return { kind: 'declined', declined: listed };
  const registered = fromRegister(knowledge, question);
  // A council's record that never gives the kind of detail asked for ("how much did the trip
  // cost?") does not answer the question, however well the council's name matched.
  if (registered && lacksDetail(question, registered.answer.reply))
    return { kind: 'search', question };
  if (registered && !registered.onlyIfNoGuidance)
    return { kind: 'register', answer: registered.answer };
  // A question the register has nothing for names a partner city only in passing.
  if (!registered) return { kind: 'search', question: withoutUnknownPartners(knowledge, question) };
  return { kind: 'search', question, register: registered.answer };
}

const guidanceWords = new WeakMap<Knowledge, ReadonlySet<string>>();

/**
 * The question without the partner cities it names that no guidance entry's title, keywords or
 * answer uses ("the Guilin mayor gave me a vase, do I declare it?"): a word the guidance never
 * uses is no evidence for or against an entry, and a partner city's name drew the answer models
 * away from questions they would answer without it. Cities the guidance does discuss (Beijing,
 * Chengdu, Suqian) stay.
 */
function withoutUnknownPartners(knowledge: Knowledge, question: string): string {
  const found = findPartnerCities(knowledge.register, question);
  if (!found.length) return question;
  let words = guidanceWords.get(knowledge);
  if (!words) {
    words = new Set(
      knowledge.entries.flatMap((e) =>
        analyse([e.title, e.keywords.join(' '), e.answer].join(' ')).flat(),
      ),
    );
    guidanceWords.set(knowledge, words);
  }
  let out = question;
  for (const { rel } of found)
    for (const name of [rel.city, ...rel.aliases]) {
      const terms = analyse(name).flat();
      if (terms.length === 0 || terms.some((t) => words.has(t))) continue;
      out = out.replace(new RegExp(`\\b${literal(name)}('s)?\\b`, 'gi'), ' ');
    }
  return out.replace(/\s{2,}/g, ' ').trim();
}

/**
 * True when a register reply about a listed council lacks the kind of detail the question asks
 * for. A reply for a council the register does not list keeps its place: it says so, and where
 * to look.
 */
function lacksDetail(question: string, reply: Reply): boolean {
  const id = reply.entryId ?? '';
  if (!id.startsWith('register:') || id.startsWith('register:not-listed')) return false;
  return (
    RECORD_NEVER.test(foldText(question)) ||
    detailMissing(question, detailsStated(replyToPlain(reply))) === 1
  );
}

/**
 * What a council's record never holds, whatever it says: who to contact at a partner city ("who's
 * the current contact at their foreign affairs office?"); the text of an agreement ("exact wording
 * of the MOU"); and whether a decision it mentions has since been made ("did that get approved?").
 * The record is a dated summary of sourced facts about ties. (Who signed a tie, it often says.)
 * Nor does it count people or visits ("how many Chinese students came to Nelson through the
 * Huangshi link last year?"); its numbers are years. Nor does it hold an address, or another
 * country's rules for its own cities ("does Japan require its cities to get ministry approval?").
 */
const RECORD_NEVER =
  /\b(street|postal|office|physical) address\b|\b(federal|national) (rules?|laws?|approval|government|requirements?)\b|\bministry approval\b|\b(require|requires|make) (its|their) (own )?(cities|councils|towns)\b|\bhow many\b.{0,40}\b(students|pupils|people|visitors|tourists|delegates|residents|athletes|performers|staff|trips|visits|exchanges)\b|\bwho(s| is| was| are)? (the (current |main )?contacts?|their (current |main )?contacts?|doing it now|running it now|in charge (of it )?now)\b|\bcontact (person|details|name)\b|\b(an? )?(email|email address|phone number) for (them|him|her|the)\b|\b(exact|full|actual) (wording|text)\b|\b(wording|text|copy) of the (mou|agreement|memorandum|charter|document)\b|\b(did|has|have) (that|it|this|they|the council|the review) (get |been |gone |go )?(approved|adopted|agreed|passed|through|ahead|signed off)\b/;

/** Optional helpers for a question the lexical ranking is unsure of; each may fail without harm. */
export interface AnswerAids {
  /** A dense ranking from an embeddings endpoint; undefined means "use the lexical ranking". */
  dense?: (question: string) => Promise<DenseHit[] | undefined>;
  /** Picks one of a closed list of entries, or none; a failure leaves the lexical decision. */
  pick?: (question: string, candidates: Entry[]) => Promise<string | null | undefined>;
}

/**
 * Below this share of the answer threshold a question is not worth asking the picker about:
 * nothing came close. (A share, because a refit moves the model's whole probability scale.)
 */
const PICK_FLOOR_SHARE = 0.1;
/** Entries offered to the picker. */
const PICK_CANDIDATES = 5;

/**
 * Answers a question: small talk, then questions to decline in their own way, then the
 * sister-city register, then retrieval with the answerability model, else an honest refusal.
 */
export function answerText(
  knowledge: Knowledge,
  retriever: Retriever,
  text: string,
  today: string,
): Answer {
  const prepared = prepareQuestion(knowledge, text, retriever.curated);
  if (prepared.kind !== 'search') return decided(knowledge, prepared);
  return fromRetrieval(knowledge, prepared, settled(retriever, prepared), today);
}

/**
 * The same as `answerText`, with the optional aids: a dense ranking blended into the lexical one,
 * and, when the result is still unsure, a model's pick from the top entries. The answer shown is
 * always a curated entry; any aid that fails leaves the offline answer as it was.
 */
export async function answerQuestion(
  knowledge: Knowledge,
  retriever: Retriever,
  text: string,
  today: string,
  aids: AnswerAids = {},
): Promise<Answer> {
  const prepared = prepareQuestion(knowledge, text, retriever.curated);
  if (prepared.kind !== 'search') return decided(knowledge, prepared);
  if (prepared.curated || prepared.refuse)
    return fromRetrieval(knowledge, prepared, settled(retriever, prepared), today);
  const dense = aids.dense ? await aids.dense(prepared.question).catch(() => undefined) : undefined;
  const r = retriever.search(prepared.question, dense);
  if (
    !r.answered &&
    aids.pick &&
    r.top &&
    r.confidence >= retriever.threshold * PICK_FLOOR_SHARE &&
    !prepared.register
  ) {
    const candidates = r.hits.slice(0, PICK_CANDIDATES).map((h) => h.entry);
    const id = await aids.pick(prepared.question, candidates).catch(() => undefined);
    const picked = id ? r.hits.find((h) => h.entry.id === id) : undefined;
    if (picked) {
      const rest = r.hits.filter((h) => h !== picked);
      return fromRetrieval(
        knowledge,
        prepared,
        { ...r, answered: true, top: picked, hits: [picked, ...rest] },
        today,
      );
    }
  }
  return fromRetrieval(knowledge, prepared, r, today);
}

/**
 * The search for a question, with what a curator settled applied: a curated example's entry
 * answers it, and a curated decline with no reply of its own is refused.
 */
function settled(retriever: Retriever, prepared: Extract<Prepared, { kind: 'search' }>): Retrieval {
  const r = retriever.search(prepared.question);
  if (prepared.curated) return retriever.asCurated(r, prepared.curated);
  return prepared.refuse ? { ...r, answered: false } : r;
}

/** The answer for a question settled before any search. */
function decided(knowledge: Knowledge, prepared: Exclude<Prepared, { kind: 'search' }>): Answer {
  if (prepared.kind === 'small-talk')
    return { reply: smallTalkReply(prepared.smallTalk), answered: false, ranked: [] };
  if (prepared.kind === 'declined')
    return {
      reply: outOfScopeReply(knowledge, prepared.declined),
      answered: false,
      declined: prepared.declined,
      ranked: [],
    };
  return prepared.answer;
}

/** The answer a retrieval supports: the top entry, the register, or an honest refusal. */
function fromRetrieval(
  knowledge: Knowledge,
  prepared: Extract<Prepared, { kind: 'search' }>,
  r: Retrieval,
  today: string,
): Answer {
  if (prepared.register && !r.answered) return prepared.register;
  const ranked = r.hits.map((h) => h.entry.id);
  if (r.answered && r.top) {
    return {
      reply: answerReply(r.top.entry, r.related, { score: r.top.score, today }),
      answered: true,
      top: r.top,
      ranked,
      retrieval: r,
    };
  }
  const top = r.top;
  const near = top && r.confidence >= NEAR_SHARE * r.threshold;
  const weak = top && top.coverage >= SUGGEST_COVERAGE ? top : undefined;
  return {
    reply: near
      ? unsureReply(
          r.hits
            .filter((h, i) => i === 0 || h.score >= NEAR_RUNNER_UP * top.score)
            .slice(0, NEAR_OFFERS)
            .map((h) => h.entry),
          top.score,
        )
      : noGuidanceReply(knowledge, weak),
    answered: false,
    top: r.top,
    ranked,
    retrieval: r,
  };
}
