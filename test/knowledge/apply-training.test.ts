import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../src/knowledge/index.js';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/apply-training.mjs', import.meta.url));
const run = promisify(execFile);
let dir: string;
let knowledge: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apply-training-'));
  knowledge = join(dir, 'knowledge');
  await cp(FIXTURE_KNOWLEDGE, knowledge, { recursive: true });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const WRITER = `inScope:
  - id: WZ001
    q: "is a \\"thank you\\" hamper from the visitors ok to keep?"
    expect: [gifts-koha]
  - id: WZ002
    q: "laptop to china - wipe it first?"
    expect: [travel-devices, gifts-koha]
outOfScope:
  - id: WZ003
    q: "draft the mayor's welcome speech pls"
    kind: task
  - id: WZ004
    q: "what's the penalty for an undeclared koha in Australia?"
    kind: uncovered
`;

describe('adding a training writer to the knowledge', () => {
  it('adds its questions as examples, declines and known gaps, and is idempotent', async () => {
    const file = join(dir, 'writer-tz.yaml');
    await writeFile(file, WRITER);
    const first = await run(process.execPath, [SCRIPT, file, knowledge]);
    expect(first.stdout).toContain('Added 2 example questions and 2 curated declines.');
    const k = await loadKnowledge(knowledge);
    expect(k.byId.get('gifts-koha')?.questions).toContain(
      'is a "thank you" hamper from the visitors ok to keep?',
    );
    expect(k.byId.get('travel-devices')?.questions).toContain('laptop to china - wipe it first?');
    // A task teaches the remit model; an uncovered question is kept apart, compared one by one.
    expect(k.declines).toEqual(["draft the mayor's welcome speech pls"]);
    expect(k.uncovered).toEqual(["what's the penalty for an undeclared koha in Australia?"]);
    const again = await run(process.execPath, [SCRIPT, file, knowledge]);
    expect(again.stdout).toContain('Added 0 example questions and 0 curated declines.');
  });

  it('refuses a question that expects an entry the knowledge lacks, and changes nothing', async () => {
    const file = join(dir, 'writer-bad.yaml');
    await writeFile(file, WRITER.replace('[gifts-koha]', '[no-such-entry]'));
    const before = await readFile(join(knowledge, 'guidance', 'gifts-koha.md'), 'utf8');
    await expect(run(process.execPath, [SCRIPT, file, knowledge])).rejects.toThrow(
      /expects "no-such-entry", which is not an entry; nothing changed/,
    );
    expect(await readFile(join(knowledge, 'guidance', 'gifts-koha.md'), 'utf8')).toBe(before);
  });
});
