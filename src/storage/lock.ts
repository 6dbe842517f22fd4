import { open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AdvisorError, ErrorCode } from '../errors.js';

/** A held lock on a data directory. */
export interface DirLock {
  /** Reads the lock file back; rejects when it is gone or names another process. */
  check(): Promise<void>;
  /** Removes the lock file; rejects with `storage_unwritable` when it cannot. */
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM means the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes an exclusive lock on `dir` by creating `.lock` with O_EXCL. A lock left by a
 * process that has died on this host is taken over; a live holder is an error.
 */
export async function lockDir(dir: string): Promise<DirLock> {
  const path = join(dir, '.lock');
  const me = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(JSON.stringify(me));
      await fh.close();
      return {
        check: async () => {
          // A data folder deleted, moved or taken over under a running bot shows up here.
          const holder = JSON.parse(await readFile(path, 'utf8')) as {
            pid?: number;
            host?: string;
          };
          if (holder.pid !== me.pid || holder.host !== me.host)
            throw new Error(`${path} names another process (pid ${holder.pid})`);
        },
        release: async () => {
          try {
            await rm(path, { force: true });
          } catch (err) {
            throw new AdvisorError(
              ErrorCode.StorageUnwritable,
              `Could not remove the lock file ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). If the next start says the data folder is in use, check that no other Sister City Advisor is running and delete that file.`,
              { cause: err },
            );
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: { pid?: number; host?: string } = {};
      try {
        holder = JSON.parse(await readFile(path, 'utf8'));
      } catch {
        // An unreadable lock file is treated as stale.
      }
      const sameHost = holder.host === undefined || holder.host === me.host;
      if (typeof holder.pid === 'number' && (!sameHost || alive(holder.pid))) {
        throw new AdvisorError(
          ErrorCode.StorageLocked,
          `The data directory ${dir} is in use by another Sister City Advisor process (pid ${holder.pid} on ${holder.host ?? 'this host'}). Stop that process, or set DATA_DIR to a different folder.`,
        );
      }
      await rm(path, { force: true });
    }
  }
  throw new AdvisorError(
    ErrorCode.StorageLocked,
    `Could not lock the data directory ${dir}. Check that the folder is writable.`,
  );
}
