import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, answerQuestion, answerText } from '../../src/answer.js';
import { type Knowledge, loadKnowledge } from '../../src/knowledge/index.js';
import {
  Curated,
  curatedDecline,
  curatedOwners,
  Retriever,
  typedAlike,
} from '../../src/retrieval/index.js';
import { FIXTURE_KNOWLEDGE, SHIPPED_KNOWLEDGE } from '../helpers/server.js';

const TODAY = '2026-11-27';
/** A question nothing in the fixture guidance answers, in words no model could place. */
const VAGUE = 'the blue folder thing Sam mentioned before we fly?';
/** A request the decline rules turn down as a task. */
const TASK = 'can you write me a press release about the delegation visit';
/** An emergency, which keeps its own reply whatever a curator lists. */
const EMERGENCY = 'our mayor has been detained in China, what do we do?';

/** A question the fixture guidance answers (its travel entry), and one worded like guidance. */
const ANSWERED = 'Can I take my work laptop overseas on the trip?';
const PLAIN = 'what should I know about the blue folders?';

/**
 * The fixture knowledge, with `extra` added to the travel-devices entry's example questions and,
 * with `declines`, an out-of-scope.yaml of those questions and kinds.
 */
async function withExamples(
  dir: string,
  extra: string[],
  declines: [string, string][] = [],
): Promise<Knowledge> {
  await rm(dir, { recursive: true, force: true });
  await cp(FIXTURE_KNOWLEDGE, dir, { recursive: true });
  if (declines.length)
    await writeFile(
      join(dir, 'out-of-scope.yaml'),
      `examples:\n${declines.map(([q, kind]) => `  - q: ${JSON.stringify(q)}\n    kind: ${kind}\n`).join('')}`,
    );
  const file = join(dir, 'guidance', 'travel-devices.md');
  const text = await readFile(file, 'utf8');
  const listed = extra.map((q) => `  - ${JSON.stringify(q)}\n`).join('');
  await writeFile(file, text.replace('questions:\n', `questions:\n${listed}`));
  return loadKnowledge(dir);
}

describe('a curated example question', () => {
  let root: string;
  let before: Knowledge;
  let after: Knowledge;
  let ask: (q: string) => Answer;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sca-curated-'));
    before = await withExamples(join(root, 'before'), []);
    after = await withExamples(join(root, 'after'), [VAGUE, TASK, EMERGENCY]);
    const retriever = new Retriever(after);
    ask = (q) => answerText(after, retriever, q, TODAY);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('is answered from its entry once a curator lists it there', () => {
    const unlisted = answerText(before, new Retriever(before), VAGUE, TODAY);
    expect(unlisted.answered).toBe(false);
    const a = ask(VAGUE);
    expect(a.answered).toBe(true);
    expect(a.reply.entryId).toBe('travel-devices');
    expect(a.retrieval?.curated).toBe(true);
    // The curated answer, with its sources and review date, as any answer has.
    expect(a.reply.blocks.find((b) => b.type === 'sources')).toMatchObject({
      sources: [{ url: 'https://example.org/travel-devices' }],
    });
  });

  it('is matched typed another way, or wrapped in a greeting and a sign-off', () => {
    for (const q of [
      'THE BLUE FOLDER THING SAM MENTIONED, BEFORE WE FLY',
      'the blue  folder thing sam mentioned before we fly',
      'Kia ora, the blue folder thing Sam mentioned before we fly? Ngā mihi, Aroha',
    ])
      expect(ask(q).reply.entryId, q).toBe('travel-devices');
  });

  it('is not matched with a word more or less', () => {
    for (const q of [
      'the blue folder thing Sam mentioned before we fly to Japan?',
      'the blue folder thing Sam mentioned?',
    ])
      expect(ask(q).retrieval?.curated, q).toBeUndefined();
  });

  it('is answered ahead of the decline rules, but an emergency keeps its own reply', () => {
    expect(answerText(before, new Retriever(before), TASK, TODAY).declined).toBe('task');
    expect(ask(TASK).reply.entryId).toBe('travel-devices');
    const emergency = ask(EMERGENCY);
    expect(emergency.answered).toBe(false);
    expect(emergency.declined).toBe('emergency');
  });

  it('is answered the same way with the optional aids, which are not asked', async () => {
    let called = 0;
    const aids = {
      dense: async () => {
        called++;
        return undefined;
      },
      pick: async () => {
        called++;
        return null;
      },
    };
    const a = await answerQuestion(after, new Retriever(after), VAGUE, TODAY, aids);
    expect(a.reply.entryId).toBe('travel-devices');
    expect(called).toBe(0);
  });

  it('folds case, accents, punctuation and spacing only', () => {
    expect(typedAlike('  Kōha   LIMIT?! ')).toBe('koha limit');
    expect(curatedOwners(after, 'what should i do about phones and laptops on a trip')).toEqual([
      'travel-devices',
    ]);
    expect(curatedOwners(after, 'what should I do about phones on a trip')).toBeUndefined();
    expect(curatedOwners(after, '?!')).toBeUndefined();
  });
});

describe('a curated decline', () => {
  let root: string;
  let k: Knowledge;
  let ask: (q: string) => Answer;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sca-declined-'));
    k = await withExamples(
      join(root, 'k'),
      [],
      [
        [ANSWERED, 'political'],
        [PLAIN, 'unrelated'],
        ['how many staff does the embassy have?', 'uncovered'],
      ],
    );
    const retriever = new Retriever(k);
    ask = (q) => answerText(k, retriever, q, TODAY);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('is declined with its kind’s reply, typed any way, once a curator lists it', async () => {
    const unlisted = await withExamples(join(root, 'unlisted'), []);
    expect(answerText(unlisted, new Retriever(unlisted), ANSWERED, TODAY).answered).toBe(true);
    for (const q of [
      ANSWERED,
      'can i take my WORK LAPTOP overseas on the trip',
      `Kia ora, ${ANSWERED}`,
    ]) {
      const a = ask(q);
      expect(a.answered, q).toBe(false);
      expect(a.declined, q).toBe('political');
    }
    // A word more, and the models decide as before.
    expect(
      ask('Can I take my work laptop overseas on the trip to Japan?').declined,
    ).toBeUndefined();
  });

  it('of no kind with a reply of its own is refused, and a known gap is left to the models', () => {
    const plain = ask(PLAIN);
    expect(plain.answered).toBe(false);
    expect(plain.declined).toBeUndefined();
    expect(plain.reply.kind).toBe('no-guidance');
    expect(curatedDecline(k, 'how many staff does the embassy have?')).toBeUndefined();
    expect(curatedDecline(k, PLAIN.toUpperCase())).toBe('unrelated');
  });
});

describe('the curated table on disk', () => {
  it('is written once, read back with the same answers, and rebuilt when damaged', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sca-curated-cache-'));
    try {
      const k = await withExamples(join(root, 'k'), [VAGUE], [[ANSWERED, 'political']]);
      const dir = join(root, 'cache');
      const first = new Curated(k, [dir]);
      expect(first.owners(VAGUE)).toEqual(['travel-devices']);
      const files = (await readdir(dir)).filter((f) => f.startsWith('curated-'));
      expect(files).toHaveLength(1);
      const file = join(dir, files[0]!);
      const again = new Curated(k, [dir]);
      expect(again.owners(VAGUE.toUpperCase())).toEqual(['travel-devices']);
      expect(again.declined(ANSWERED)).toBe('political');
      expect(again.owners(ANSWERED)).toBeUndefined();
      const bytes = await readFile(file);
      await writeFile(file, bytes.subarray(0, bytes.length - 9));
      const damaged = new Curated(k, [dir]);
      expect(damaged.owners(VAGUE)).toEqual(['travel-devices']);
      expect((await readFile(file)).length).toBe(bytes.length);
      // Other knowledge gets a file of its own.
      const other = await withExamples(join(root, 'other'), []);
      expect(new Curated(other, [dir]).owners(VAGUE)).toBeUndefined();
      expect((await readdir(dir)).filter((f) => f.startsWith('curated-'))).toHaveLength(2);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('the shipped knowledge', () => {
  let knowledge: Knowledge;
  let retriever: Retriever;
  beforeAll(async () => {
    knowledge = await loadKnowledge(SHIPPED_KNOWLEDGE);
    retriever = new Retriever(knowledge);
  });

  it('answers every example question from an entry that lists it, bar emergencies', () => {
    const wrong: string[] = [];
    let emergencies = 0;
    let checked = 0;
    for (const e of knowledge.entries)
      for (const q of e.questions) {
        const a = answerText(knowledge, retriever, q, '2026-11-30');
        checked++;
        if (a.declined === 'emergency') emergencies++;
        else if (!a.answered || !curatedOwners(knowledge, q)?.includes(a.reply.entryId ?? ''))
          wrong.push(`${q} -> ${a.reply.entryId ?? a.declined ?? 'refused'}`);
      }
    expect(checked).toBeGreaterThan(8000);
    expect(wrong).toEqual([]);
    // A handful of examples describe an emergency under way; they get the emergency reply.
    expect(emergencies).toBeLessThan(10);
  });

  it('answers none of its curated declines', () => {
    const declines = knowledge.declines ?? [];
    expect(declines.length).toBeGreaterThan(1500);
    const answered = declines.filter(
      (q) => answerText(knowledge, retriever, q, '2026-11-30').answered,
    );
    expect(answered).toEqual([]);
  });
});
