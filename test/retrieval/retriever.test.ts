import { beforeAll, describe, expect, it } from 'vitest';
import { answerText } from '../../src/answer.js';
import { type Knowledge, loadKnowledge } from '../../src/knowledge/index.js';
import {
  detectSmallTalk,
  foldText,
  Retriever,
  stripGreeting,
  terms,
} from '../../src/retrieval/index.js';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';

let knowledge: Knowledge;
let retriever: Retriever;
beforeAll(async () => {
  knowledge = await loadKnowledge(FIXTURE_KNOWLEDGE);
  retriever = new Retriever(knowledge);
});

describe('normalisation', () => {
  it('folds case, punctuation and macrons', () => {
    expect(foldText('Tēnā KOE, Māori!')).toBe('tena koe maori');
  });
  it('maps domain synonyms onto one term', () => {
    expect(terms('twin town')).toEqual(terms('sister cities'));
    expect(terms('Ministry of Foreign Affairs and Trade')).toEqual(['mfat']);
    expect(terms('a present')).toContain('gift');
    expect(terms('koha')).toEqual(['koha', 'gift']);
    expect(terms('laptops')).toEqual(['laptop', 'device']);
    expect(terms('Protective Security Requirements')).toEqual(['psr']);
    expect(terms('Security Intelligence Service')).toEqual(['nzsis']);
    expect(terms('SIS')).toContain('nzsis');
  });
  it('reads a possessive as its word, and keeps the "\'s" of a contraction', () => {
    // "siss" and "nzs" were words nobody else uses; "sis" and "nz" are known.
    expect(foldText("the SIS's report on NZ’s ports")).toBe('the sis report on nz ports');
    expect(terms("the SIS's report")).toEqual(terms('the SIS report'));
    expect(terms("someone's trying to groom me")).toEqual(terms('someone trying to groom me'));
    expect(foldText("Hamilton's sister cities, the councils' ties")).toBe(
      'hamilton sister cities the councils ties',
    );
    // "What's" is "what is": the declining rules and the stop words expect "whats".
    expect(foldText("What's that, it's who's?")).toBe('whats that its whos');
    expect(foldText("O'Brien's koha")).toBe('obrien koha');
  });
  it('folds plain ASCII text as it folds the same words with accents or apostrophes', () => {
    // Plain ASCII skips the accent and possessive steps; the result must not depend on that.
    expect(foldText('Maori  Wards, Tena KOE!')).toBe('maori wards tena koe');
    expect(foldText('Māori  Wards, Tēnā KOE!')).toBe('maori wards tena koe');
    // Decomposed accents (a letter and a combining mark) fold the same as precomposed ones.
    expect(foldText('Ma\u0304ori')).toBe('maori');
    expect(foldText('the SIS’s report')).toBe(foldText("the SIS's report"));
    expect(foldText('tab\tand\nnew line')).toBe('tab and new line');
  });
  it('drops stop words', () => {
    expect(terms('what is the')).toEqual([]);
  });
  it('gives a text the same terms however often it is asked, among many other texts', () => {
    // The last few results are kept (one question is folded and analysed by several checks).
    const first = terms('Tēnā koe: can I keep the koha?');
    const others = Array.from({ length: 9 }, (_, i) => `laptops ${i} twin towns ${'x'.repeat(i)}`);
    const seen = others.map((t) => terms(t));
    expect(terms('Tēnā koe: can I keep the koha?')).toEqual(first);
    expect(first).toEqual(['tena', 'koe', 'keep', 'koha', 'gift']);
    expect(others.map((t) => terms(t))).toEqual(seen);
    expect(seen[2]).toEqual(['laptop', 'device', 'sistercity', 'xx']);
  });
});

describe('ranking', () => {
  const cases: [string, string][] = [
    ['What counts as foreign interference?', 'fi-definition'],
    ['is diplomacy the same as interference', 'fi-definition'],
    ['can I take my work laptop overseas', 'travel-devices'],
    ['phone on a trip', 'travel-devices'],
    ['Can I accept a present from visitors?', 'gifts-koha'],
    ['koha', 'gifts-koha'],
    ['who do I tell about a suspicious approach', 'report-concern'],
    ['register with safe travel', 'safetravel'],
    ['Ministry of Foreign Affairs advisory level', 'safetravel'],
    ['are councils reviewing their twin towns', 'sister-cities-nz'],
    ['foriegn intereference', 'fi-definition'],
    ['laptp overseas', 'travel-devices'],
  ];
  it.each(cases)('"%s" is answered from %s', (q, id) => {
    const r = retriever.search(q);
    expect(r.top?.entry.id).toBe(id);
    expect(r.answered).toBe(true);
  });
});

describe('confidence rule', () => {
  const offTopic = [
    "what's the weather in Invercargill?",
    'recipe for pavlova',
    'who won the rugby',
    'what is it',
  ];
  it.each(offTopic)('"%s" gets no answer', (q) => {
    expect(retriever.search(q).answered).toBe(false);
  });

  it('declines a council-services question by rule before retrieval weighs it', () => {
    // On this five-entry fixture, with no curated declines or known gaps to weigh against it,
    // retrieval alone finds "council" in the sister-cities entry; the bot never gets that far.
    const a = answerText(knowledge, retriever, 'what is the council budget for 2027', '2026-11-27');
    expect(a.answered).toBe(false);
    expect(a.declined).toBe('council-services');
  });

  it('does not pass a weak match off as an answer, but may offer it', () => {
    const a = answerText(
      knowledge,
      retriever,
      // A weak match on this small fixture (the shipped model's threshold is fitted on the real
      // guidance, so the question must be weak here, not only there).
      'what is the council policy on parking fines',
      '2026-11-27',
    );
    expect(a.answered).toBe(false);
    expect(a.reply.kind).toBe('no-guidance');
    expect(a.reply.blocks.some((b) => b.type === 'sources')).toBe(false);
  });

  it('offers related entries with an answer', () => {
    const r = retriever.search('register my trip on SafeTravel before travel overseas');
    expect(r.answered).toBe(true);
    expect(r.top?.entry.id).toBe('safetravel');
    // travel-devices is listed in the entry's own `related` field.
    expect(r.related.map((h) => h.entry.id)).toEqual(['travel-devices']);
  });
});

describe('small talk', () => {
  it.each([
    ['hi', 'greeting'],
    ['Kia ora!', 'greeting'],
    ['Mōrena', 'greeting'],
    ['tēnā koe', 'greeting'],
    ['thanks heaps', 'thanks'],
    ['Ngā mihi', 'thanks'],
    ['help', 'help'],
    ['what can you do?', 'help'],
    ['ka kite', 'goodbye'],
  ])('"%s" is %s', (text, kind) => {
    expect(detectSmallTalk(text)).toBe(kind);
  });
  it('is not fooled by a question that starts with a greeting', () => {
    expect(detectSmallTalk('kia ora, what counts as foreign interference?')).toBeUndefined();
    expect(stripGreeting('Kia ora, what counts as foreign interference?')).toBe(
      'what counts as foreign interference?',
    );
    expect(
      retriever.search(stripGreeting('Kia ora, what counts as foreign interference?')).top?.entry
        .id,
    ).toBe('fi-definition');
  });
});
