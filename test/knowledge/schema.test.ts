import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAdvisorError } from '../../src/errors.js';
import { loadKnowledge, overdueEntries, parseEntry } from '../../src/knowledge/index.js';
import { FIXTURE_KNOWLEDGE, SHIPPED_KNOWLEDGE } from '../helpers/server.js';

const valid = `---
id: sample-entry
title: A sample entry
questions: [What is a sample?]
keywords: [sample, 0800]
tags: [basics]
sources:
  - title: Sample source
    publisher: Sample Publisher
    url: https://example.org/sample
    date: 2024-10
reviewed: 2026-11-01
reviewBy: 2027-05-01
---
This is the answer, long enough to count as one.
`;

const dirs: string[] = [];
async function knowledgeWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sca-kn-'));
  dirs.push(dir);
  await cp(join(FIXTURE_KNOWLEDGE, 'guidance'), join(dir, 'guidance'), { recursive: true });
  for (const [name, text] of Object.entries(files))
    await writeFile(join(dir, 'guidance', name), text);
  return dir;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function problemText(dir: string): Promise<string> {
  try {
    await loadKnowledge(dir);
  } catch (err) {
    expect(isAdvisorError(err, 'knowledge_invalid')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected loadKnowledge to fail');
}

describe('guidance entry schema', () => {
  it('parses a valid entry, turning a numeric keyword into text', () => {
    const { entry, problems } = parseEntry('guidance/sample-entry.md', valid);
    expect(problems).toEqual([]);
    expect(entry?.keywords).toEqual(['sample', '0800']);
    expect(entry?.answer).toBe('This is the answer, long enough to count as one.');
    expect(entry?.audience).toEqual(['staff', 'elected-members', 'security-contacts']);
  });

  it('names the file, the entry and the field of each problem', async () => {
    const broken = valid
      .replace('https://example.org/sample', 'not a url')
      .replace('reviewBy: 2027-05-01', 'reviewBy: 2026-01-01');
    const msg = await problemText(await knowledgeWith({ 'sample-entry.md': broken }));
    expect(msg).toContain('guidance/sample-entry.md, entry "sample-entry", field "sources.0.url"');
    expect(msg).toContain('field "reviewBy": must be later than reviewed');
  });

  it('rejects a missing source and a missing front matter', async () => {
    const noSources = valid.replace(/sources:[\s\S]*?date: 2024-10\n/, 'sources: []\n');
    const msg = await problemText(
      await knowledgeWith({ 'a.md': noSources, 'b.md': 'just text, no front matter' }),
    );
    expect(msg).toMatch(/a\.md, entry "sample-entry", field "sources": needs at least one source/);
    expect(msg).toMatch(/b\.md: must start with a front matter block/);
  });

  it('rejects unknown fields, so typos are caught', async () => {
    const msg = await problemText(
      await knowledgeWith({ 'sample-entry.md': valid.replace('tags:', 'tagz: [x]\ntags:') }),
    );
    expect(msg).toMatch(/entry "sample-entry".*tagz/);
  });

  it('rejects duplicate ids and unknown related entries', async () => {
    const dup = valid.replace('id: sample-entry', 'id: fi-definition');
    const rel = valid.replace('reviewed:', 'related: [no-such-entry]\nreviewed:');
    const msg = await problemText(await knowledgeWith({ 'dup.md': dup, 'sample-entry.md': rel }));
    expect(msg).toMatch(
      /fi-definition\.md, entry "fi-definition", field "id": duplicate id, already used in guidance\/dup\.md/,
    );
    expect(msg).toMatch(/field "related": refers to unknown entry "no-such-entry"/);
  });

  it('reports broken YAML with its line', async () => {
    const msg = await problemText(
      await knowledgeWith({ 'bad.md': '---\nid: [unclosed\n---\nbody text that is long enough\n' }),
    );
    expect(msg).toMatch(/bad\.md: front matter is not valid YAML \(line \d+\)/);
  });

  it('lists entries past their review-by date', async () => {
    const k = await loadKnowledge(FIXTURE_KNOWLEDGE);
    expect(overdueEntries(k, '2026-12-01')).toEqual([]);
    expect(overdueEntries(k, '2027-01-11').map((e) => e.id)).toContain('fi-definition');
  });
});

describe('the shipped knowledge', () => {
  it('loads, with at least 15 sourced entries', async () => {
    const k = await loadKnowledge(SHIPPED_KNOWLEDGE);
    expect(k.entries.length).toBeGreaterThanOrEqual(15);
    for (const e of k.entries) {
      expect(e.sources.length, e.id).toBeGreaterThan(0);
      expect(e.file, e.id).toBe(`guidance/${e.id}.md`);
    }
  });
});
