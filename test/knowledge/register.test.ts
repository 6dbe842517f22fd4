import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerLookup } from '../../src/checklist/flow.js';
import { isAdvisorError } from '../../src/errors.js';
import {
  answerIds,
  findCouncils,
  findPartnerCities,
  findPlaces,
  type Knowledge,
  loadKnowledge,
  reviewKnowledge,
} from '../../src/knowledge/index.js';
import { FIXTURE_KNOWLEDGE, SHIPPED_KNOWLEDGE } from '../helpers/server.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A copy of the fixture knowledge with one file edited. */
async function fixtureWith(file: string, edit: (text: string) => string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sca-register-'));
  dirs.push(dir);
  await cp(FIXTURE_KNOWLEDGE, dir, { recursive: true });
  await writeFile(join(dir, file), edit(await readFile(join(dir, file), 'utf8')));
  return dir;
}

async function problemText(dir: string): Promise<string> {
  try {
    await loadKnowledge(dir);
  } catch (err) {
    expect(isAdvisorError(err, 'knowledge_invalid')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected loadKnowledge to fail');
}

const REGISTER = 'sister-cities.yaml';

describe('register schema', () => {
  it('loads practice, advice and a disputed year with their sources', async () => {
    const k = await loadKnowledge(FIXTURE_KNOWLEDGE);
    const hamilton = k.register?.councils.find((c) => c.place === 'Hamilton');
    expect(hamilton?.advice[0]?.sources[0]?.url).toBe('https://example.org/hamilton-advice');
    expect(hamilton?.practice).toHaveLength(1);
    expect(hamilton?.notes).toEqual([]);
    const suqian = k.register?.councils[0]?.relationships[1];
    expect(suqian?.since).toEqual([2010, 2011]);
    expect(suqian?.kind).toBe('sister city');
    expect(suqian?.disputed?.sources).toHaveLength(2);
  });

  it('names the council and field of a fact without a source', async () => {
    const dir = await fixtureWith(REGISTER, (t) =>
      t.replace(/(advice:\n\s+- text: .*\n\s+)sources:[\s\S]*$/, '$1sources: []\n'),
    );
    expect(await problemText(dir)).toContain(
      'sister-cities.yaml, entry "council Hamilton", field "advice.0.sources": needs at least one source',
    );
  });

  it('needs a disputed note, citing both sides, when sources give different years', async () => {
    const noNote = await fixtureWith(REGISTER, (t) => t.replace(/ +disputed:\n(?: {10}.*\n)+/, ''));
    expect(await problemText(noNote)).toContain(
      'entry "council Invercargill", field "relationships.1.disputed": is needed when since lists several years',
    );
    const oneSide = await fixtureWith(REGISTER, (t) =>
      t.replace(/ +- title: Fixture source B\n(?: {14}.*\n)+/, ''),
    );
    expect(await problemText(oneSide)).toContain(
      'entry "council Invercargill", field "relationships.1.disputed.sources": cite both sides',
    );
  });

  it('refuses a year that is not a year, an unknown kind and the old review field', async () => {
    const dir = await fixtureWith(REGISTER, (t) =>
      t
        .replace('since: 2015', 'since: last year')
        .replace('country: United States', 'country: United States\n        kind: pen pal')
        .replace('practice:', 'review: Old-style review text.\n    practice:'),
    );
    const msg = await problemText(dir);
    expect(msg).toContain(
      'entry "council Hamilton", field "relationships.0.since": must be a year, or a list of two or more years',
    );
    expect(msg).toMatch(/entry "council Hamilton", field "relationships\.1\.kind": Invalid option/);
    expect(msg).toMatch(/entry "council Hamilton": Unrecognized key: "review"/);
  });

  it('needs a source for every relationship, on the council or on the tie', async () => {
    const dir = await fixtureWith(REGISTER, (t) =>
      t.replace(/ {4}sources:\n(?: {6}.*\n){4}(?= {4}relationships)/, ''),
    );
    expect(await problemText(dir)).toContain(
      'entry "council Invercargill", field "sources": needs at least one source, here or on every relationship',
    );
  });

  it('catches a council the list of NZ councils does not know, and a council listed twice', async () => {
    const misspelt = await fixtureWith(REGISTER, (t) =>
      t.replace('council: Hamilton City Council', 'council: Hamiltn City Council'),
    );
    expect(await problemText(misspelt)).toContain(
      'entry "council Hamilton", field "council": "Hamiltn City Council" is not a council in nz-councils.yaml',
    );
    const twice = await fixtureWith(REGISTER, (t) =>
      t.replace('place: Hamilton', 'place: Invercargill'),
    );
    expect(await problemText(twice)).toContain(
      'entry "council Invercargill", field "place": is listed twice',
    );
  });

  it('names the council and field of a mistake in the list of NZ councils', async () => {
    const dir = await fixtureWith('nz-councils.yaml', (t) =>
      t.replace('place: Kaikōura, type: district', 'place: Kaikōura, type: borough'),
    );
    expect(await problemText(dir)).toMatch(
      /nz-councils\.yaml, entry "council Kaikōura District Council", field "type": Invalid option/,
    );
  });
});

describe('the regions in the list of NZ councils', () => {
  it('must each be the place of a regional council in the list', async () => {
    const dir = await fixtureWith('nz-councils.yaml', (t) =>
      t.replace(
        'place: Kaikōura, type: district',
        'place: Kaikōura, regions: [Canterbury], type: district',
      ),
    );
    expect(await problemText(dir)).toMatch(
      /entry "council Kaikōura District Council", field "regions": "Canterbury" is not the place of a regional council in this list/,
    );
    const withRegion = await fixtureWith('nz-councils.yaml', (t) =>
      t
        .replace(
          'place: Kaikōura, type: district',
          'place: Kaikōura, regions: [Canterbury], type: district',
        )
        .concat('  - { name: Environment Canterbury, place: Canterbury, type: regional }\n'),
    );
    const k = await loadKnowledge(withRegion);
    expect(k.nzCouncils?.councils.find((c) => c.place === 'Kaikōura')?.regions).toEqual([
      'Canterbury',
    ]);
  });

  it('are not given to a unitary or regional council', async () => {
    const dir = await fixtureWith('nz-councils.yaml', (t) =>
      t.replace('place: Tasman, type: unitary', 'place: Tasman, regions: [Tasman], type: unitary'),
    );
    expect(await problemText(dir)).toMatch(
      /entry "council Tasman District Council", field "regions": a unitary council has no regions/,
    );
  });

  it('are given to every city and district council in the shipped list', async () => {
    const k = await loadKnowledge(SHIPPED_KNOWLEDGE);
    const missing = (k.nzCouncils?.councils ?? []).filter(
      (c) => (c.type === 'city' || c.type === 'district') && !c.regions,
    );
    expect(missing.map((c) => c.name)).toEqual([]);
  });
});

describe('the shipped register', () => {
  let k: Knowledge;
  beforeAll(async () => {
    k = await loadKnowledge(SHIPPED_KNOWLEDGE);
  });

  it('holds the councils its sources support, each with sourced relationships', () => {
    const register = k.register!;
    expect(register.councils.length).toBeGreaterThanOrEqual(28);
    for (const c of register.councils) {
      for (const r of c.relationships)
        expect(c.sources.length + r.sources.length, `${c.place}: ${r.city}`).toBeGreaterThan(0);
    }
    expect(k.nzCouncils?.councils).toHaveLength(78);
  });

  it('keeps Tauranga, and Hamilton and Invercargill review practice and advice', () => {
    const by = (place: string) => k.register!.councils.find((c) => c.place === place)!;
    const yantai = by('Tauranga').relationships.find((r) => r.city === 'Yantai');
    expect(yantai).toMatchObject({ since: 1986, approximate: true, country: 'China' });
    expect(by('Hamilton').advice[0]?.text).toMatch(/MFAT/);
    expect(by('Hamilton').advice[0]?.sources[0]?.publisher).toBe('RNZ');
    expect(by('Invercargill').practice[0]?.text).toMatch(/every 10 years/);
    expect(by('Dunedin').relationships.map((r) => r.city)).toEqual(
      expect.arrayContaining(['Edinburgh', 'Otaru', 'Shanghai', 'Portsmouth', 'Qingdao']),
    );
  });

  it('finds councils by place and alias, possessives and missing macrons', () => {
    const place = (q: string) => findCouncils(k.register, q).map((c) => c.place);
    expect(place('Lower Hutt sister cities')).toEqual(['Lower Hutt']);
    expect(place('what are Hutt City’s sister cities')).toEqual(['Lower Hutt']);
    expect(place('Upper Hutt sister cities')).toEqual(['Upper Hutt']);
    expect(place('does Queenstown have a sister city')).toEqual(['Queenstown-Lakes']);
    expect(place('Whangarei twin city')).toEqual(['Whangārei']);
    expect(place('Taurangas sister cities')).toEqual(['Tauranga']);
    expect(place('New Plymouths sister cities, and Palmerston North’s')).toEqual([
      'New Plymouth',
      'Palmerston North',
    ]);
    expect(place('Hamilton and Tauranga')).toEqual(['Hamilton', 'Tauranga']);
  });

  it('reads a longer unlisted name before a listed one it contains', () => {
    const found = findPlaces(k, 'Greater Wellington sister cities');
    expect(found.listed).toEqual([]);
    expect(found.unlisted.map((c) => c.name)).toEqual(['Greater Wellington Regional Council']);
    expect(findPlaces(k, 'Kaikoura sister cities').unlisted.map((c) => c.place)).toEqual([
      'Kaikōura',
    ]);
  });

  it('finds partner cities, every council that holds one, and never a namesake', () => {
    const qingdao = findPartnerCities(k.register, 'who is twinned with Qingdao').map(
      (p) => p.council.place,
    );
    expect(qingdao).toEqual(['Auckland', 'Dunedin']);
    expect(findPartnerCities(k.register, "Christchurch's sister cities")).toEqual([]);
    expect(findPartnerCities(k.register, 'Chania').map((p) => p.rel.city)).toEqual(['Hania']);
  });

  it('marks a checklist destination as a sister city only while the tie lasts', () => {
    const lookup = registerLookup(k);
    expect(lookup('Toowoomba')).toEqual([
      { city: 'Toowoomba', country: 'Australia', sisterOf: 'Whanganui' },
    ]);
    expect(lookup('Reno')).toEqual([]);
  });

  it('gives every register and not-listed answer an id that feedback accepts', () => {
    const ids = answerIds(k);
    expect(ids.has('register:hamilton')).toBe(true);
    expect(ids.has('register:queenstown-lakes')).toBe(true);
    expect(ids.has('register:not-listed:kaikoura')).toBe(true);
    expect(ids.has('register:not-listed:hamilton')).toBe(false);
    expect(ids.has('register:councils')).toBe(true);
  });

  it('lists disputes and councils with only secondary sources for the curator', () => {
    const r = reviewKnowledge(k, '2026-11-30');
    expect(r.registerDisputes).toEqual(
      expect.arrayContaining(['Auckland: Los Angeles', 'Tauranga: Hitachi']),
    );
    expect(r.registerNoPrimarySource).toContain('Hamilton');
    expect(r.registerNoPrimarySource).not.toContain('Auckland');
  });
});
