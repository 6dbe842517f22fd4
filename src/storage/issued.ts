import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Readable ids: a prefix of two or three capitals, the NZ year, a number (TR-2026-0007). */
const ID = /^([A-Z]{2,3})-(\d{4})-(\d{1,9})$/;

/** The sequence an id was taken from (`TR-2026`) and its number, or undefined for anything else. */
export function parseId(id: unknown): { sequence: string; n: number } | undefined {
  if (typeof id !== 'string') return undefined;
  const m = ID.exec(id);
  return m ? { sequence: `${m[1]}-${m[2]}`, n: Number(m[3]) } : undefined;
}

type Row = Record<string, unknown>;

const isRow = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Calls `fn` with each JSON object in a JSON Lines file; a missing file or a torn line is skipped. */
async function eachJsonLine(path: string, fn: (row: Row) => void, mustContain?: string) {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<boolean>((resolve, reject) => {
    stream.once('open', () => resolve(true));
    stream.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ENOENT' ? resolve(false) : reject(err),
    );
  });
  if (!(await opened)) return;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (!line.trim() || (mustContain && !line.includes(mustContain))) continue;
    try {
      const row: unknown = JSON.parse(line);
      if (isRow(row)) fn(row);
    } catch {
      // A torn last line after a crash holds no complete record.
    }
  }
}

/**
 * The highest number issued so far in each id sequence, read from every record in a data
 * directory that carries an id: trip records, recorded escalations, the audit log's
 * `case-raised` lines (which outlive purged cases) and the case files. `state.json` keeps the
 * counters, but it can be lost or restored from an older copy; these records cannot be
 * reissued without a duplicate, so the counters are raised to them at start-up.
 */
export async function highestIssued(dir: string): Promise<Map<string, number>> {
  const highest = new Map<string, number>();
  const note = (...values: unknown[]) => {
    for (const v of values) {
      const id = parseId(v);
      if (id && id.n > (highest.get(id.sequence) ?? 0)) highest.set(id.sequence, id.n);
    }
  };
  await eachJsonLine(join(dir, 'trips.jsonl'), (r) => note(r.id, r.escalationId, r.tripId));
  await eachJsonLine(join(dir, 'escalations.jsonl'), (r) => note(r.id, r.tripId));
  // Only `case-raised`: other audit lines can carry a case id a user typed or pressed.
  await eachJsonLine(
    join(dir, 'audit.jsonl'),
    (r) => {
      if (r.type === 'case-raised' && isRow(r.data)) note(r.data.caseId);
    },
    '"case-raised"',
  );
  // The case files, as FileCaseStore lays them out (test/storage/file.test.ts checks this).
  const cases = join(dir, 'cases');
  const noteCase = (c: unknown) => {
    if (isRow(c)) note(c.id, c.recordId);
  };
  try {
    const active: unknown = JSON.parse(await readFile(join(cases, 'active.json'), 'utf8'));
    if (isRow(active) && Array.isArray(active.cases)) active.cases.forEach(noteCase);
  } catch {
    // Missing, or corrupt: the case store reports a corrupt file when it opens it.
  }
  let archives: string[] = [];
  try {
    archives = (await readdir(join(cases, 'archive'))).filter((f) => f.endsWith('.jsonl'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  for (const f of archives) await eachJsonLine(join(cases, 'archive', f), noteCase);
  return highest;
}
