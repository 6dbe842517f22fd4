import { resolve } from 'node:path';
import { AdvisorError, ErrorCode } from '../errors.js';

/** Why a data folder cannot be written, by errno code, and what to do about it. */
const REASONS: Record<string, { why: string; fix: string }> = {
  EROFS: {
    why: 'is on a read-only file system',
    fix: 'Set DATA_DIR to a writable folder, or mount this one read-write (in a container, a writable volume).',
  },
  EACCES: {
    why: 'is not writable by the user running Sister City Advisor',
    fix: 'Set DATA_DIR to a folder this user can write, or give the user write permission on it (chown or chmod).',
  },
  EPERM: {
    why: 'may not be written by the user running Sister City Advisor',
    fix: 'Set DATA_DIR to a folder this user can write, or give the user write permission on it.',
  },
  ENOTDIR: {
    why: 'cannot be created: part of its path is a file, not a folder',
    fix: 'Set DATA_DIR to a folder path, or move that file aside.',
  },
  ENOSPC: {
    why: 'is on a disk with no space left',
    fix: 'Free some space on that disk, or set DATA_DIR to a folder on another one.',
  },
  EDQUOT: {
    why: 'is on a disk where this user has used up their quota',
    fix: 'Free some space, raise the quota, or set DATA_DIR to a folder elsewhere.',
  },
};

/**
 * Turns a file-system error met while opening the data folder into a `storage_unwritable`
 * error that names the folder and says what to do. Anything else comes back unchanged.
 */
export function dataDirError(err: unknown, dir: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = code ? REASONS[code] : undefined;
  if (!reason || err instanceof AdvisorError) return err;
  return new AdvisorError(
    ErrorCode.StorageUnwritable,
    `The data folder ${resolve(dir)} ${reason.why} (${code}), so conversations, cases and the audit log cannot be saved. ${reason.fix}`,
    { cause: err },
  );
}
