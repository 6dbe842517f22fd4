import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { AdvisorError, ErrorCode } from '../errors.js';
import { type DeclineExampleKind, loadDeclines } from './declines.js';
import { loadNzCouncils, NZ_COUNCILS_FILE, type NzCouncils } from './nz-councils.js';
import {
  type Checked,
  checkYamlText,
  type KnowledgeProblem,
  knowledgeError,
  withYamlCache,
} from './problems.js';
import { loadRegister, REGISTER_FILE, type Register } from './register.js';
import { type Entry, EntryFrontMatterSchema, SCHEMA_MODULE } from './schema.js';

/** The largest answer body we accept; longer text belongs in several entries. */
export const MAX_ANSWER_CHARS = 2500;

/** Loaded, validated knowledge. */
export interface Knowledge {
  entries: Entry[];
  byId: Map<string, Entry>;
  /** The sister-city register, when `sister-cities.yaml` exists. */
  register?: Register;
  /** Examples of questions the advisor declines (`out-of-scope.yaml`), empty when there is none. */
  declines?: string[];
  /** Each curated decline's kind (`out-of-scope.yaml`), by its text; `unrelated` when missing. */
  declineKinds?: ReadonlyMap<string, DeclineExampleKind>;
  /** Questions in the domain the guidance does not answer (`out-of-scope.yaml`, kind `uncovered`). */
  uncovered?: string[];
  /** New Zealand's local authorities, when `nz-councils.yaml` exists: who the register lacks. */
  nzCouncils?: NzCouncils;
}

function zodProblems(file: string, entry: string | undefined, err: z.ZodError): KnowledgeProblem[] {
  return err.issues.map((issue) => ({
    file,
    entry,
    field: issue.path.length ? issue.path.join('.') : undefined,
    message: issue.message,
  }));
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

/**
 * A copy of `text` that does not point into the string it was cut from. V8 keeps a substring as a
 * view of its parent, so an answer cut from its file would keep the whole file, example questions
 * and all, in memory for the life of the process (about 2 MB over the shipped guidance).
 */
const detached = (text: string): string => Buffer.from(text, 'utf8').toString('utf8');

/** Parses one guidance file (Markdown with YAML front matter). */
export function parseEntry(
  file: string,
  text: string,
): { entry?: Entry; problems: KnowledgeProblem[] } {
  const match = FRONT_MATTER.exec(text.replace(/^\uFEFF/, ''));
  if (!match) {
    return {
      problems: [{ file, message: 'must start with a front matter block between two "---" lines' }],
    };
  }
  let parsed: Checked<z.output<typeof EntryFrontMatterSchema>>;
  try {
    parsed = checkYamlText(match[1] ?? '', EntryFrontMatterSchema, SCHEMA_MODULE);
  } catch (err) {
    const line = isYamlError(err) ? ` (line ${(err.linePos?.[0]?.line ?? 0) + 1})` : '';
    return {
      problems: [
        {
          file,
          message: `front matter is not valid YAML${line}: ${(err as Error).message.split('\n')[0]}`,
        },
      ],
    };
  }
  if (!parsed.success) {
    const { data } = parsed;
    const idGuess =
      typeof data === 'object' && data !== null && typeof (data as { id?: unknown }).id === 'string'
        ? (data as { id: string }).id
        : undefined;
    return { problems: zodProblems(file, idGuess, parsed.error) };
  }
  const answer = detached((match[2] ?? '').trim());
  const problems: KnowledgeProblem[] = [];
  if (answer.length < 20)
    problems.push({
      file,
      entry: parsed.data.id,
      field: 'answer',
      message: 'the answer below the front matter is missing or too short',
    });
  if (answer.length > MAX_ANSWER_CHARS)
    problems.push({
      file,
      entry: parsed.data.id,
      field: 'answer',
      message: `the answer is ${answer.length} characters; keep it under ${MAX_ANSWER_CHARS}`,
    });
  if (problems.length) return { problems };
  return { entry: { ...parsed.data, answer, file }, problems };
}

function listMarkdown(dir: string): string[] {
  const found: string[] = [];
  for (const dirent of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, dirent.name);
    if (dirent.isDirectory()) found.push(...listMarkdown(full));
    else if (dirent.name.endsWith('.md') && dirent.name.toLowerCase() !== 'readme.md')
      found.push(full);
  }
  return found.sort();
}

/** Checks entries together: unique ids, and `related` pointing at real entries. */
export function crossCheck(entries: Entry[]): KnowledgeProblem[] {
  const problems: KnowledgeProblem[] = [];
  const seen = new Map<string, string>();
  for (const e of entries) {
    const first = seen.get(e.id);
    if (first)
      problems.push({
        file: e.file,
        entry: e.id,
        field: 'id',
        message: `duplicate id, already used in ${first}`,
      });
    else seen.set(e.id, e.file);
  }
  for (const e of entries) {
    for (const r of e.related) {
      if (!seen.has(r))
        problems.push({
          file: e.file,
          entry: e.id,
          field: 'related',
          message: `refers to unknown entry "${r}"`,
        });
    }
  }
  return problems;
}

/** Checks that every register council is one of the NZ councils, so a misspelt name is caught. */
export function checkRegisterCouncils(register?: Register, nz?: NzCouncils): KnowledgeProblem[] {
  if (!register || !nz) return [];
  const names = new Set(nz.councils.map((c) => c.name));
  return register.councils
    .filter((c) => !names.has(c.council))
    .map((c) => ({
      file: REGISTER_FILE,
      entry: `council ${c.place}`,
      field: 'council',
      message: `"${c.council}" is not a council in ${NZ_COUNCILS_FILE}: check the spelling`,
    }));
}

/** Builds a Knowledge value from already-parsed entries (used by tests and benchmarks). */
export function buildKnowledge(
  entries: Entry[],
  register?: Register,
  nzCouncils?: NzCouncils,
): Knowledge {
  const problems = [...crossCheck(entries), ...checkRegisterCouncils(register, nzCouncils)];
  if (problems.length) throw knowledgeError(problems);
  return { entries, byId: new Map(entries.map((e) => [e.id, e])), register, nzCouncils };
}

/**
 * Loads every guidance entry under `<dir>/guidance`, the register, the NZ council list and the
 * curated declines. Throws an AdvisorError with code `knowledge_invalid` naming each file, entry
 * and field at fault. With `cacheDirs`, parsed YAML is reused between runs (see `withYamlCache`);
 * everything is still validated.
 */
export async function loadKnowledge(
  dir: string,
  opts: { cacheDirs?: readonly string[] } = {},
): Promise<Knowledge> {
  return withYamlCache(opts.cacheDirs ?? [], () => readKnowledge(dir));
}

async function readKnowledge(dir: string): Promise<Knowledge> {
  const guidanceDir = join(dir, 'guidance');
  let files: string[];
  try {
    files = listMarkdown(guidanceDir);
  } catch (err) {
    throw new AdvisorError(
      ErrorCode.KnowledgeInvalid,
      `Cannot read the guidance folder ${guidanceDir}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (files.length === 0) {
    throw new AdvisorError(
      ErrorCode.KnowledgeInvalid,
      `No guidance entries (*.md) found in ${guidanceDir}`,
    );
  }
  const entries: Entry[] = [];
  const problems: KnowledgeProblem[] = [];
  // Read synchronously: knowledge is loaded at start-up, before anything else runs, and 64 files
  // read this way took a third of the time they took read concurrently with promises (about 8
  // against 27 ms on the test machine), which waited on the thread pool for every open and read.
  const texts = files.map((full) => readFileSync(full, 'utf8'));
  for (const [i, full] of files.entries()) {
    const file = relative(dir, full);
    const result = parseEntry(file, texts[i] as string);
    problems.push(...result.problems);
    if (result.entry) entries.push(result.entry);
  }
  problems.push(...crossCheck(entries));
  if (problems.length) throw knowledgeError(problems);
  const [register, councils, declines] = await Promise.all([
    loadRegister(dir),
    loadNzCouncils(dir),
    loadDeclines(dir),
  ]);
  const knowledge = buildKnowledge(entries, register, councils);
  knowledge.declines = declines.declines;
  knowledge.declineKinds = declines.declineKinds;
  knowledge.uncovered = declines.uncovered;
  return knowledge;
}

/** Entries whose review-by date is before `today` (YYYY-MM-DD). */
export function overdueEntries(knowledge: Knowledge, today: string): Entry[] {
  return knowledge.entries.filter((e) => e.reviewBy < today);
}

/** A parse error from the YAML parser (loaded on demand, so matched by name, not class). */
function isYamlError(err: unknown): err is YAMLParseError {
  return err instanceof Error && err.name === 'YAMLParseError';
}
