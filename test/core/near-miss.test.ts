import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, answerText, prepareQuestion } from '../../src/answer.js';
import { type Knowledge, loadKnowledge } from '../../src/knowledge/index.js';
import type { Reply } from '../../src/model.js';
import { Actions, replyToPlain } from '../../src/replies.js';
import { DEFAULT_MODEL, withThreshold } from '../../src/retrieval/answerability.js';
import { Retriever } from '../../src/retrieval/index.js';
import { SHIPPED_KNOWLEDGE } from '../helpers/server.js';

const TODAY = '2026-11-30';
/** A question the shipped guidance answers with confidence. */
const SURE = 'can I take my council laptop to China';
/** One it refuses with little confidence, its right entry not first. */
const UNSURE = 'what do I do if someone from the delegation asks about our port';

let knowledge: Knowledge;
let shipped: Retriever;
/** Where the first retriever leaves its built indexes and models, for the others to load. */
let cache: string;
/** The shipped model's confidence in a question, as the answering path searches it. */
const confidence = (q: string) => {
  const prepared = prepareQuestion(knowledge, q);
  if (prepared.kind !== 'search') throw new Error(`"${q}" never reaches the search`);
  return shipped.search(prepared.question).confidence;
};
/** The answer with the shipped trees and another threshold. */
const at = (q: string, threshold: number): Answer =>
  answerText(
    knowledge,
    new Retriever(knowledge, withThreshold(DEFAULT_MODEL, threshold), undefined, cache),
    q,
    TODAY,
  );
const offered = (reply: Reply) =>
  reply.blocks.flatMap((b) =>
    b.type === 'buttons' ? b.buttons.filter((x) => x.id === Actions.showEntry) : [],
  );

beforeAll(async () => {
  knowledge = await loadKnowledge(SHIPPED_KNOWLEDGE);
  cache = await mkdtemp(join(tmpdir(), 'near-miss-'));
  shipped = new Retriever(knowledge, undefined, undefined, cache);
});
afterAll(() => rm(cache, { recursive: true, force: true }));

describe('a question that falls just short of the threshold', () => {
  it('gets the closest entries to tap, not a refusal that lists every topic', () => {
    const c = confidence(SURE);
    expect(c).toBeGreaterThan(0.5);
    // The same question, with the bar set so that it falls short by a fifth.
    const a = at(SURE, c / 0.8);
    expect(a.answered).toBe(false);
    expect(a.reply.kind).toBe('no-guidance');
    const text = replyToPlain(a.reply);
    expect(text).toMatch(/not sure I have guidance on exactly that, and I won't guess/);
    expect(text).toMatch(/security contact/);
    expect(text).not.toMatch(/I can help with/);
    const buttons = offered(a.reply);
    expect(buttons[0]?.value).toBe(a.top?.entry.id);
    expect(buttons[0]?.value).toBe('phones-and-laptops-overseas');
    expect(buttons.length).toBeGreaterThanOrEqual(1);
    expect(buttons.length).toBeLessThanOrEqual(3);
    expect(new Set(buttons.map((b) => b.value)).size).toBe(buttons.length);
  });

  it('starts at half the threshold: below it, the plain refusal and its list of topics', () => {
    const c = confidence(UNSURE);
    expect(c).toBeGreaterThan(0.05);
    expect(c / 0.49).toBeLessThan(1);
    const near = at(UNSURE, c / 0.51);
    const far = at(UNSURE, c / 0.49);
    for (const a of [near, far]) expect(a.answered).toBe(false);
    expect(replyToPlain(near.reply)).toMatch(/not sure I have guidance on exactly that/);
    expect(replyToPlain(far.reply)).toMatch(/Sorry, I don't have guidance on that/);
    expect(replyToPlain(far.reply)).toMatch(/I can help with:/);
    expect(offered(far.reply).length).toBeLessThanOrEqual(1);
  });

  it('still answers a question that reaches the threshold', () => {
    const c = confidence(SURE);
    const a = at(SURE, c);
    expect(a.answered).toBe(true);
    expect(a.reply.kind).toBe('answer');
  });
});
