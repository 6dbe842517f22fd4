import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type pg from 'pg';
import { AdvisorError, ErrorCode } from '../../errors.js';
import { PROJECT_ROOT } from '../../paths.js';

/** The numbered SQL files, `migrations/NNN_name.sql` at the top of the project. */
export const MIGRATIONS_DIR = join(PROJECT_ROOT, 'migrations');

/** Held while migrating, so replicas that start together apply each file once. */
const MIGRATION_LOCK = 7_206_455_201;

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Reads `NNN_name.sql` files in version order; two files with one number are an error. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const out: Migration[] = [];
  for (const file of (await readdir(dir)).sort()) {
    const m = /^(\d+)_([\w-]+)\.sql$/.exec(file);
    if (!m) continue;
    const version = Number(m[1]);
    if (out.some((x) => x.version === version))
      throw new Error(`Two migrations are numbered ${version} in ${dir}.`);
    out.push({ version, name: file, sql: await readFile(join(dir, file), 'utf8') });
  }
  return out.sort((a, b) => a.version - b.version);
}

/**
 * Brings the schema up to date: each migration not yet recorded in `schema_migrations` runs in
 * its own transaction, with its row, under a session advisory lock. Resolves with the names
 * applied (none when the schema was current).
 */
export async function runMigrations(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await loadMigrations(dir);
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ version: number }>(
        'SELECT version FROM schema_migrations',
      );
      const done = new Set(rows.map((r) => r.version));
      const newest = Math.max(0, ...migrations.map((m) => m.version));
      const ahead = [...done].filter((v) => v > newest);
      if (ahead.length)
        throw new AdvisorError(
          ErrorCode.StorageCorrupt,
          `The database has schema version ${Math.max(...ahead)}, newer than this version knows (${newest}). Upgrade Sister City Advisor.`,
        );
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        try {
          await client.query('BEGIN');
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
            m.version,
            m.name,
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new AdvisorError(
            ErrorCode.StorageCorrupt,
            `Migration ${m.name} failed and was rolled back: ${(err as Error).message}`,
            { cause: err },
          );
        }
        applied.push(m.name);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
  return applied;
}
