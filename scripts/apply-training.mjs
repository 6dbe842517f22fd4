/**
 * Adds a training writer's questions (scripts/training/writer-*.yaml) to the knowledge: each
 * in-scope question becomes an example question of the first entry it expects, and each
 * out-of-scope question a curated example in out-of-scope.yaml with its kind (the remit model
 * learns from the declined kinds; questions of kind `uncovered`, in the domain but not answered by
 * the guidance, are compared one by one instead, `Features.uncovered`, and a second intent
 * classifier learns them as a class of their own, `Features.notGap`). Questions already there
 * are skipped, so running it twice changes nothing. Then run `npm run fit:ranking` and
 * `npm run fit`.
 *   node scripts/apply-training.mjs scripts/training/writer-t17.yaml [KNOWLEDGE_DIR]
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const [file, dir = 'knowledge'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('Usage: node scripts/apply-training.mjs WRITER_FILE [KNOWLEDGE_DIR]\n');
  process.exit(2);
}
const set = parse(readFileSync(file, 'utf8'));
if (!Array.isArray(set?.inScope) || !Array.isArray(set?.outOfScope)) {
  process.stderr.write(`${file}: expected lists "inScope" and "outOfScope".\n`);
  process.exit(1);
}

// Entry id -> its file.
const guidance = join(dir, 'guidance');
const files = new Map(
  readdirSync(guidance)
    .filter((f) => f.endsWith('.md'))
    .map((f) => [/^id:\s*(.+)$/m.exec(readFileSync(join(guidance, f), 'utf8'))?.[1]?.trim(), f]),
);
const byEntry = new Map();
let registerOnly = 0;
for (const { q, expect } of set.inScope) {
  // A question the register answers (`register:hamilton`) teaches the register nothing here: it
  // becomes an example of the first guidance entry it expects, if any.
  const id = expect?.find((x) => !String(x).startsWith('register:'));
  if (id === undefined && expect?.length) {
    registerOnly++;
    continue;
  }
  if (!files.has(id)) {
    process.stderr.write(
      `${file}: "${q}" expects "${id}", which is not an entry; nothing changed.\n`,
    );
    process.exit(1);
  }
  byEntry.set(id, [...(byEntry.get(id) ?? []), q]);
}

let examples = 0;
for (const [id, questions] of byEntry) {
  const path = join(guidance, files.get(id));
  const lines = readFileSync(path, 'utf8').split('\n');
  const start = lines.indexOf('questions:');
  let end = start + 1;
  while (end < lines.length && /^\s/.test(lines[end])) end++;
  const present = new Set(lines.slice(start + 1, end).map((l) => l.trim()));
  // JSON strings are valid double-quoted YAML scalars.
  const fresh = questions
    .map((q) => `  - ${JSON.stringify(q)}`)
    .filter((l) => !present.has(l.trim()));
  lines.splice(end, 0, ...fresh);
  examples += fresh.length;
  writeFileSync(path, lines.join('\n'));
}

const declinesPath = join(dir, 'out-of-scope.yaml');
let text;
try {
  text = readFileSync(declinesPath, 'utf8').replace(/\n*$/, '\n');
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
  text = 'examples:\n';
}
let declines = 0;
for (const { q, kind } of set.outOfScope) {
  const line = `  - q: ${JSON.stringify(q)}\n    kind: ${kind}\n`;
  if (text.includes(line)) continue;
  text += line;
  declines++;
}
writeFileSync(declinesPath, text);
process.stdout.write(
  `Added ${examples} example questions and ${declines} curated declines` +
    (registerOnly ? ` (${registerOnly} register questions skipped).\n` : '.\n'),
);
