import {
  type Entry,
  type NzCouncil,
  type NzCouncils,
  notListedId,
  REGISTER_COUNCILS_ID,
  type Register,
  type RegisterCouncil,
  type RegisterFact,
  type Relationship,
  registerId,
} from './knowledge/index.js';
import type { Reply, Source } from './model.js';
import { askContactButton, feedbackButtons, relatedBlocks } from './replies.js';

/** The parts of a council's register entry beyond its ties, which a question can ask about. */
export type RegisterTopic = 'practice' | 'advice' | 'notes';

const TOPIC_HEADING: Record<RegisterTopic, string> = {
  practice: 'Review practice',
  advice: 'Advice it takes',
  notes: 'Notes',
};

const TOPIC_HINT: Record<RegisterTopic, string> = {
  practice: 'review practice',
  advice: 'the advice it takes',
  notes: 'other notes',
};

/** What the reply says when a council's entry has nothing on a topic. */
const TOPIC_NONE: Record<RegisterTopic, (place: string) => string> = {
  practice: (place) => `The register has nothing on ${place}'s review practice.`,
  advice: (place) =>
    `The register has nothing on advice ${place} takes, such as checks with MFAT or NZSIS.`,
  notes: (place) => `The register has no other notes on ${place}.`,
};

/** How two places are described together: "have been sister cities". */
const KIND_PLURAL: Record<Relationship['kind'], string> = {
  'sister city': 'sister cities',
  'sister province': 'a sister city and province',
  'friendship city': 'friendship cities',
  'partner city': 'partner cities',
  'twin city': 'twin cities',
  'twin town': 'twin towns',
  'sister port': 'sister ports',
  alliance: 'partners in an alliance',
  'international relationship': 'linked by an international relationship',
};

const listWords = (items: string[], last = 'and') =>
  items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`;

/** "1993", "about 1986", or "1971 or 1972: sources differ". */
export function sinceText(r: Relationship): string | undefined {
  if (r.since === undefined) return undefined;
  const years = Array.isArray(r.since) ? [...r.since].sort((a, b) => a - b) : [r.since];
  const text = `${r.approximate ? 'about ' : ''}${listWords(years.map(String), 'or')}`;
  return years.length > 1 ? `${text}: sources differ` : text;
}

const cityName = (r: Relationship) => `${r.city}${r.region ? ` (${r.region})` : ''}, ${r.country}`;

/** What sources disagree on; a list of years has already said "sources differ". */
function disputeText(r: Relationship): string | undefined {
  if (!r.disputed) return undefined;
  return Array.isArray(r.since) ? r.disputed.text : `Sources differ. ${r.disputed.text}`;
}

/**
 * A tie's kind (unless a sister city), years and status (unless active), in brackets after its
 * city; with `markDisputed`, also that sources differ, unless its list of years already says so.
 */
function tieExtras(r: Relationship, markDisputed: boolean): string {
  const since = sinceText(r);
  const extras = [
    r.kind !== 'sister city' ? r.kind : undefined,
    since ? `since ${since}` : undefined,
    markDisputed && r.disputed && !Array.isArray(r.since) ? 'sources differ' : undefined,
    r.status && r.status !== 'active' ? r.status : undefined,
  ].filter(Boolean);
  return extras.length ? ` (${extras.join(', ')})` : '';
}

function relationshipLine(r: Relationship): string {
  const tail = [r.note, disputeText(r)].filter(Boolean).join(' ');
  return `- **${r.city}**${r.region ? ` (${r.region})` : ''}, ${r.country}${tieExtras(r, false)}${tail ? `. ${tail}` : ''}`;
}

/** A tie in a list across councils: its city, kind, years and status, without the notes. */
function briefTie(r: Relationship): string {
  return `${r.city}${tieExtras(r, true)}`;
}

/** The opening sentences about one tie: its kind, year, status, note and any disagreement. */
function tieSentence(council: RegisterCouncil, r: Relationship): string {
  const pair = `${council.place} and ${r.city} (${r.country})`;
  const kind = KIND_PLURAL[r.kind];
  const since = sinceText(r);
  const lines = [
    r.status === 'ended'
      ? `${pair} were ${kind}${since ? ` from **${since}**` : ''}; the tie has ended.`
      : since
        ? `${pair} have been ${kind} since **${since}**.`
        : `${pair} are ${kind}. The register does not record the year.`,
  ];
  if (r.status && r.status !== 'active' && r.status !== 'ended')
    lines.push(`The register lists the tie as ${r.status}.`);
  lines.push(...[r.note, disputeText(r)].filter((t): t is string => t !== undefined));
  return lines.join(' ');
}

/** A council's tie to one partner city. */
type Tie = { council: RegisterCouncil; rel: Relationship };

/** "In the register, Qingdao is also linked with Dunedin." */
function elsewhereLine(ties: Tie[], also: boolean): string {
  const phrases = ties.map(
    (t) => `${t.rel.city} is ${also ? 'also ' : ''}linked with ${t.council.place} (${t.rel.kind})`,
  );
  return `In the register, ${listWords(phrases)}.`;
}

/** "Kumagaya is not one of Hamilton's ties in the register. It is linked with Invercargill." */
function notHereLine(council: RegisterCouncil, ties: Tie[]): string {
  const cities = [...new Set(ties.map((t) => t.rel.city))];
  const [city] = cities;
  if (cities.length > 1 || !city)
    return `${listWords(cities)} are not among ${council.place}'s ties. ${elsewhereLine(ties, false)}`;
  const holders = ties.map((t) => `${t.council.place} (${t.rel.kind})`);
  return `${city} is not one of ${council.place}'s ties in the register. It is linked with ${listWords(holders)}.`;
}

function dedupeSources(sources: Source[]): Source[] {
  return sources.filter((s, i) => sources.findIndex((x) => x.url === s.url) === i);
}

const factSources = (facts: RegisterFact[]) => facts.flatMap((f) => f.sources);
const tieSources = (r: Relationship) => [...r.sources, ...(r.disputed?.sources ?? [])];

function answer(
  id: string,
  text: string,
  sources: Source[],
  reviewed?: string,
  related: Entry[] = [],
): Reply {
  return {
    kind: 'answer',
    entryId: id,
    blocks: [
      { type: 'paragraph', text },
      { type: 'sources', sources: dedupeSources(sources), reviewed },
      feedbackButtons(id),
      askContactButton(id),
      ...relatedBlocks(related),
    ],
  };
}

/**
 * An answer from the sister-city register for one council. With `partner`, it leads with that
 * tie's year; with `topics`, it shows the council's review practice, advice or notes and names
 * its ties in one line; otherwise it lists the ties and says what else the register holds.
 * `elsewhere` names other councils' ties to a city the question names; `related` offers
 * guidance entries about the council.
 */
export function registerReply(
  register: Register,
  council: RegisterCouncil,
  opts: {
    partner?: Relationship;
    topics?: RegisterTopic[];
    elsewhere?: Tie[];
    related?: Entry[];
  } = {},
): Reply {
  const { partner, topics = [], elsewhere = [], related = [] } = opts;
  const lines: string[] = [];
  const sources: Source[] = [...council.sources];
  if (partner) {
    lines.push(tieSentence(council, partner));
    sources.push(...tieSources(partner));
  }
  if (elsewhere.length)
    lines.push(partner ? elsewhereLine(elsewhere, true) : notHereLine(council, elsewhere));
  const allSister = council.relationships.every((r) => r.kind === 'sister city');
  const ties = allSister ? 'sister cities' : 'sister cities and other ties';
  for (const topic of topics) {
    const facts = council[topic];
    lines.push(
      facts.length
        ? `**${TOPIC_HEADING[topic]}** (${council.place}):\n\n${facts.map((f) => `- ${f.text}`).join('\n')}`
        : TOPIC_NONE[topic](council.place),
    );
    sources.push(...factSources(facts));
  }
  if (partner || topics.length) {
    // The question was about one tie or one topic: name the other ties in a line.
    const others = council.relationships.filter((r) => r !== partner);
    if (others.length)
      lines.push(
        `${partner ? `${council.place}'s other ties in the register` : `**${council.place}'s ${ties}** (${council.council})`}: ${others.map(cityName).join('; ')}.`,
      );
  } else {
    lines.push(
      `**${council.place}'s ${ties}** (${council.council}):\n\n${council.relationships.map(relationshipLine).join('\n')}`,
    );
    sources.push(...council.relationships.flatMap(tieSources));
    const more = (['practice', 'advice', 'notes'] as const).filter((t) => council[t].length);
    if (more.length)
      lines.push(
        `The register also holds ${council.place}'s ${listWords(more.map((t) => TOPIC_HINT[t]))}: ask me about ${more.length > 1 ? 'them' : 'it'}.`,
      );
  }
  sources.push(...register.sources);
  return answer(registerId(council), lines.join('\n\n'), sources, register.reviewed, related);
}

/** A relationship's earliest year, for ordering ties by age. */
function firstYear(r: Relationship): number | undefined {
  if (r.since === undefined) return undefined;
  return Array.isArray(r.since) ? Math.min(...r.since) : r.since;
}

/**
 * The oldest ties with one country among every council in the register ("which council had the
 * first sister city in China?"). Ties whose years overlap (a disputed year) are all shown, and
 * the reply says the register is not the whole country's list. Undefined when no tie with that
 * country has a year.
 */
export function firstTieReply(
  register: Register,
  country: string,
  nz?: NzCouncils,
): Reply | undefined {
  const ties = allTies(register)
    .map((t) => ({ ...t, year: firstYear(t.r) }))
    .filter((t) => t.r.country === country && t.year !== undefined)
    .sort((a, b) => (a.year ?? 0) - (b.year ?? 0));
  const first = ties[0];
  if (!first) return undefined;
  const name = countryName(country);
  // A tie whose earliest year is no later than the first one's latest could be the first.
  const latest = Array.isArray(first.r.since) ? Math.max(...first.r.since) : (first.year ?? 0);
  const contenders = ties.filter((t) => (t.year ?? 0) <= latest);
  const next = ties.filter((t) => !contenders.includes(t)).slice(0, 2);
  const lines = [
    contenders.length === 1
      ? `Of the councils in the register, **${first.council.place}** has the oldest tie with ${name}. ${tieSentence(first.council, first.r)}`
      : `Of the councils in the register, the oldest ties with ${name} are ${listWords(contenders.map((t) => `**${t.council.place}** and ${t.r.city} (since ${sinceText(t.r)})`))}.`,
  ];
  if (next.length)
    lines.push(
      `Next come ${listWords(next.map((t) => `${t.council.place} and ${t.r.city} (${sinceText(t.r)})`))}.`,
    );
  lines.push(registerScope(register, nz));
  return tiesAnswer(register, contenders, lines);
}

/** Every tie of the councils (by default, of every council in the register), with its council. */
function allTies(
  register: Pick<Register, 'councils'>,
): { council: RegisterCouncil; r: Relationship }[] {
  return register.councils.flatMap((council) => council.relationships.map((r) => ({ council, r })));
}

/** A country as a sentence names it: "the United States", "Japan". */
const countryName = (country: string) => (/^united /i.test(country) ? `the ${country}` : country);

/**
 * Every council in the register with a tie in one country ("which councils have a sister city in
 * Korea?"), oldest first, each tie with its kind, years and status; the reply says the register
 * is not the whole country's list. Undefined when no council has a tie there.
 */
export function countryTiesReply(
  register: Register,
  country: string,
  nz?: NzCouncils,
): Reply | undefined {
  const ties = allTies(register)
    .filter((t) => t.r.country === country)
    .sort((a, b) => (firstYear(a.r) ?? 9999) - (firstYear(b.r) ?? 9999));
  if (!ties.length) return undefined;
  const name = countryName(country);
  const councils = [...new Set(ties.map((t) => t.council))];
  const lines = [
    `Of the councils in the register, ${councils.length === 1 ? 'one has' : `${councils.length} have`} ties in ${name}:`,
    councils
      .map((c) => {
        const own = ties.filter((t) => t.council === c).map((t) => briefTie(t.r));
        return `- **${c.place}**: ${own.join('; ')}`;
      })
      .join('\n'),
    `Ask about a council by name for the notes on each tie. ${registerScope(register, nz)}`,
  ];
  return tiesAnswer(register, ties, lines);
}

/**
 * Every tie in the register with one of `statuses` ("has any NZ council actually ended a sister
 * city?", "which ties have gone quiet?"), in that order of status, each with its council, years
 * and note; the reply says the register is not the whole country's list. Undefined when there are
 * none (with `country`, none in that country).
 */
export function statusTiesReply(
  register: Register,
  statuses: readonly NonNullable<Relationship['status']>[],
  country?: string,
  nz?: NzCouncils,
): Reply | undefined {
  const withStatus = (country?: string) =>
    statuses.flatMap((status) =>
      allTies(register).filter(
        (t) => t.r.status === status && (!country || t.r.country === country),
      ),
    );
  const there = withStatus(country);
  // None there ("has any council dropped a Chinese sister city?"): say so, and give the rest.
  const ties = there.length ? there : withStatus();
  if (!ties.length) return undefined;
  const recorded = listWords([...statuses], 'or');
  const lines = [
    there.length || !country
      ? `Of the ties in the register, ${ties.length === 1 ? 'one is' : `${ties.length} are`} recorded as ${recorded}:`
      : `None of the register's ties in ${country} is recorded as ${recorded}. Across every country, ${ties.length === 1 ? 'one is' : `${ties.length} are`}:`,
    ties
      .map(
        ({ council, r }) =>
          `- **${council.place}** and ${briefTie(r)}, ${r.country}${r.note ? `. ${r.note}` : ''}`,
      )
      .join('\n'),
    `Ask about a council by name for the rest of its record. ${registerScope(register, nz)}`,
  ];
  return tiesAnswer(register, ties, lines);
}

/**
 * The register's councils in a region ("which councils in the Canterbury region have sister cities
 * in Japan?", "does the Wellington region have sister cities?"), each with its ties (with
 * `country`, those there; when none of them has one there, the reply says so and gives all their
 * ties), and the region's councils the register has no entry for, the regional council among
 * them. Without any of the region's councils in the register, the reply says so and where to look.
 */
export function regionTiesReply(
  register: Register,
  nz: NzCouncils,
  asked: { regional: NzCouncil; type?: 'city' | 'district' },
  country?: string,
  reviewed?: string,
): Reply {
  const { regional, type } = asked;
  const region = regionName(regional);
  const kind = type ? `${type} councils` : 'councils';
  // By the region its seat is in: Taupō is not listed among the Hawke's Bay councils.
  const inRegion = nz.councils.filter(
    (c) => c.regions?.[0] === regional.place && (!type || c.type === type),
  );
  const names = new Set(inRegion.map((c) => c.name));
  const councils = register.councils.filter((c) => names.has(c.council));
  const held = new Set(councils.map((c) => c.council));
  // The regional council is one of the councils there, but not one of its district councils.
  const missing = [
    ...(type ? [] : [regional.name]),
    ...inRegion.filter((c) => !held.has(c.name)).map((c) => c.place),
  ];
  const directory = `[${nz.directory.publisher}](${nz.directory.url}) keeps the national directory.`;
  const notHeld = missing.length
    ? `The register has no entry for ${listWords(missing)}; that means our sources don't cover them, not that they have no sister cities. ${directory}`
    : directory;
  const all = allTies({ councils: [...councils] });
  if (!all.length)
    return answer(
      notListedId(regional),
      `The register holds none of the ${kind} in ${region}. ${notHeld}`,
      [nz.directory],
      reviewed,
    );
  const there = country ? all.filter((t) => t.r.country === country) : all;
  const ties = there.length ? there : all;
  const listed = [...new Set(ties.map((t) => t.council))];
  const count = (n: number, one: string, many: string) => (n === 1 ? one : `${n} ${many}`);
  const opening = !country
    ? `The register holds ${count(listed.length, `one of the ${kind}`, kind)} in ${region}:`
    : there.length
      ? `Of the register's ${kind} in ${region}, ${count(listed.length, 'one has', 'have')} ties in ${countryName(country)}:`
      : `None of the register's ${kind} in ${region} has a tie in ${countryName(country)}. Their ties are:`;
  const lines = [
    opening,
    councilLines(listed, ties),
    `Ask about a council by name for the notes on each tie. ${notHeld}`,
  ];
  return tiesAnswer(register, ties, lines);
}

/** A line for each council with its ties among `ties` ("none recorded" without any). */
function councilLines(
  councils: readonly RegisterCouncil[],
  ties: readonly { council: RegisterCouncil; r: Relationship }[],
  none = 'none recorded',
): string {
  return councils
    .map((c) => {
      const own = ties
        .filter((t) => t.council === c)
        .map((t) => `${briefTie(t.r)}, ${t.r.country}`);
      return `- **${c.place}**: ${own.length ? own.join('; ') : none}`;
    })
    .join('\n');
}

/**
 * The ties of several councils asked about together ("what sister cities do Hamilton and
 * Tauranga have?", "Hamilton vs Tauranga: which has more Chinese ties?"), each in turn; with
 * `country`, those there, saying which council has none there. Undefined when none has a tie.
 */
export function councilsTiesReply(
  register: Register,
  councils: readonly RegisterCouncil[],
  country?: string,
): Reply | undefined {
  const all = allTies({ councils: [...councils] });
  const ties = country ? all.filter((t) => t.r.country === country) : all;
  if (!ties.length) return undefined;
  const places = listWords(councils.map((c) => c.place));
  const lines = [
    country
      ? `The register's ties in ${countryName(country)} for ${places}:`
      : `The register's ties for ${places}:`,
    councilLines(councils, ties, country ? `none in ${countryName(country)} recorded` : undefined),
    'Ask about a council by name for the notes on each tie and the rest of its record.',
  ];
  return tiesAnswer(register, ties, lines);
}

/** "the Wellington region" for Greater Wellington (named so by an alias), "the Canterbury region". */
function regionName(regional: NzCouncil): string {
  const alias = regional.aliases.find((a) => / region$/i.test(a));
  return `the ${alias ?? `${regional.place} region`}`;
}

/**
 * The councils the register holds, each with its number of ties ("which councils does the register
 * cover?", "what councils do you have sister city info for?"), how to ask about one, and where
 * to look for the rest.
 */
export function registerCouncilsReply(register: Register, nz?: NzCouncils): Reply {
  const councils = [...register.councils].sort((a, b) => a.place.localeCompare(b.place));
  const lines = [
    `The register holds ${councils.length} councils, with their sister cities and other ties: ${listWords(
      councils.map((c) => `${c.place} (${c.relationships.length})`),
    )}.`,
    'Ask about one by name ("Hamilton\'s sister cities"), a country ("which councils have ties in Japan?") or a region ("councils in the Canterbury region"), for the ties and their sources.',
    ...(nz
      ? [
          `For any other council, [${nz.directory.publisher}](${nz.directory.url}) keeps the national directory.`,
        ]
      : []),
  ];
  return answer(
    REGISTER_COUNCILS_ID,
    lines.join('\n\n'),
    [...register.sources, ...(nz ? [nz.directory] : [])],
    register.reviewed,
  );
}

/** What the register covers: not every council, and where the national directory is. */
function registerScope(register: Register, nz?: NzCouncils): string {
  return `The register holds ${register.councils.length} councils, not every one in New Zealand${nz ? `; [${nz.directory.publisher}](${nz.directory.url}) keeps the national directory` : ''}.`;
}

/**
 * A reply listing ties from across the register, citing each tie's council and sources; its id is
 * the first tie's council, and it covers every council listed.
 */
function tiesAnswer(
  register: Register,
  ties: readonly { council: RegisterCouncil; r: Relationship }[],
  lines: string[],
): Reply {
  const sources: Source[] = [
    ...ties.flatMap((t) => [...t.council.sources, ...tieSources(t.r)]),
    ...register.sources,
  ];
  const first = ties[0]?.council;
  if (!first) throw new Error('tiesAnswer needs a tie');
  return {
    ...answer(registerId(first), lines.join('\n\n'), sources, register.reviewed),
    covers: [...new Set(ties.map((t) => registerId(t.council)))],
  };
}

/**
 * The reply for an NZ council the register has no entry for: it says so, and points to the
 * national directory rather than refusing or answering for another council.
 */
export function notListedReply(
  nz: NzCouncils,
  councils: NzCouncil[],
  opts: { partners?: Tie[]; related?: Entry[] } = {},
  reviewed?: string,
): Reply {
  const { partners = [], related = [] } = opts;
  const first = councils[0];
  if (!first) throw new Error('notListedReply needs a council');
  const same = councils.filter((c) => c.place === first.place);
  const lines = [
    `The register has no entry for **${first.place}** (${listWords(
      same.map((c) => c.name),
      'or',
    )}). That means our sources don't cover it, not that it has no sister cities.`,
    `[${nz.directory.publisher}](${nz.directory.url}) keeps the national directory: its member list shows which councils have sister cities. The council itself can confirm its current ties.`,
  ];
  if (partners.length) lines.push(elsewhereLine(partners, false));
  return answer(notListedId(first), lines.join('\n\n'), [nz.directory], reviewed, related);
}
