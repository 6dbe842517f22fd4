import { describe, expect, it } from 'vitest';
import { AI_ASSISTED_NOTICE, aiAssistedBlocks, checkAnswer } from '../../src/llm/index.js';
import { ENTRIES } from './fake-openai.js';

const check = (text: string) => checkAnswer(text, ENTRIES);
const textOf = (text: string) => {
  const r = check(text);
  if (!r.ok) throw new Error(`rejected: ${r.detail}`);
  return r.text;
};

describe('checkAnswer: citations', () => {
  it('renumbers citations by first use and lists the cited entries in that order', () => {
    const r = check('Use a loan phone [3]. Declare gifts [2]. Loan devices again [3].');
    expect(r).toMatchObject({
      ok: true,
      text: 'Use a loan phone [1]. Declare gifts [2]. Loan devices again [1].',
    });
    expect(r.ok && r.cited.map((e) => e.id)).toEqual(['travel-devices', 'gifts-koha']);
  });

  it.each([
    ['Declare gifts [1, 2].', 'Declare gifts [1][2].'],
    ['Declare gifts [2-3].', 'Declare gifts [1][2].'],
    ['Declare gifts [^2].', 'Declare gifts [1].'],
    ['Declare gifts [Source 2].', 'Declare gifts [1].'],
    ['Declare gifts 【2】.', 'Declare gifts [1].'],
    ['Declare gifts [2] [2].', 'Declare gifts [1].'],
  ])('normalises %s', (raw, want) => {
    expect(textOf(raw)).toBe(want);
  });

  it.each([
    ['Declare gifts [0].', /\[0\]/],
    ['Declare gifts [4].', /\[4\] but there are 3/],
    ['Declare gifts [1, 9].', /\[9\]/],
    ['As source 5 says, declare gifts [2].', /source 5/],
    ['Declare gifts.', /no citations/],
  ])('rejects %s', (raw, detail) => {
    const r = check(raw);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.detail).toMatch(detail);
  });

  it('reports NO_ANSWER as no-answer', () => {
    expect(check('NO_ANSWER')).toMatchObject({ ok: false, reason: 'no-answer' });
  });
});

describe('checkAnswer: facts the sources do not contain', () => {
  it.each([
    'Declare gifts over **$500** within 30 days [2].',
    'Call **0800 747 224** or +64 800 747 224 [1].',
    'Use the [NZSIS form](https://www.nzsis.govt.nz/contact-us/) [1].',
    'See https://www.nzsis.govt.nz/contact-us [1] or nzsis.govt.nz [1].',
    'The guidance dates from May 2024 [1] and July 2020 [2].',
    'Declare gifts over 500 dollars [2].',
  ])('accepts %s', (raw) => {
    expect(check(raw).ok).toBe(true);
  });

  it.each([
    ['a link to another site', 'Use [the form](https://evil.example/form) [1].'],
    ['a javascript link', 'Use [the form](javascript:alert(1)) [1].'],
    ['a bare URL', 'See www.nzsis.govt.nz/other-page [1].'],
    ['a bare domain', 'See nzsis-report.co.nz for more [1].'],
    ['a domain inside a known one', 'See sis.govt.nz for more [1].'],
    ['a path on a known host', 'See nzsis.govt.nz/report-now [1].'],
    ['an email', 'Write to security@council.govt.nz [1].'],
    ['a mobile number', 'Ring 021 123 4567 [1].'],
    ['an international number', 'Ring +64 4 472 6170 [1].'],
    ['another amount', 'Gifts over $1,000 must be declared [2].'],
    ['a different unit', 'Gifts over 500% must be declared [2].'],
    ['a scale', 'Gifts over $500 million must be declared [2].'],
    ['a percentage', 'Declare 30% of gifts [2].'],
    ['a number word', 'Declare gifts within fourteen days [2].'],
    ['a decimal', 'Declare gifts within 30.5 days [2].'],
  ])('rejects %s', (_name, raw) => {
    expect(check(raw)).toMatchObject({ ok: false, reason: 'failed-check' });
  });
});

describe('checkAnswer: output format', () => {
  it('brings headings, star bullets, numbered lists and HTML into the subset', () => {
    const raw =
      '<think>The user wants steps.</think>\n## What to do\n\n1. Tell your security contact [1].\n* Use a loan phone [3].\n<b>Declare</b> gifts [2].';
    expect(textOf(raw)).toBe(
      '**What to do**\n\n- Tell your security contact [1].\n- Use a loan phone [2].\nDeclare gifts [3].',
    );
  });
});

describe('aiAssistedBlocks', () => {
  it('labels the answer and lists only the cited entries and their documents', () => {
    const r = check('Use a loan phone [3]. Declare gifts [2].');
    if (!r.ok) throw new Error('rejected');
    const blocks = aiAssistedBlocks(r);
    expect(blocks[0]).toEqual({ type: 'notice', tone: 'info', text: AI_ASSISTED_NOTICE });
    expect(blocks[1]).toEqual({
      type: 'paragraph',
      text: 'Use a loan phone [1]. Declare gifts [2].',
    });
    expect(blocks[2]).toEqual({
      type: 'paragraph',
      text: '**Guidance used:**\n- [1] Phones and laptops on overseas trips\n- [2] Gifts, hospitality and koha',
    });
    expect(blocks[3]).toMatchObject({
      type: 'sources',
      sources: [
        { publisher: 'Protective Security Requirements' },
        { publisher: 'Office of the Auditor-General' },
      ],
      reviewed: '2026-01-10',
    });
  });
});
