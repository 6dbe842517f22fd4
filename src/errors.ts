/** Stable error codes, so callers and logs can tell failures apart without parsing messages. */
export const ErrorCode = {
  ConfigInvalid: 'config_invalid',
  KnowledgeInvalid: 'knowledge_invalid',
  StorageLocked: 'storage_locked',
  StorageCorrupt: 'storage_corrupt',
  StorageUnwritable: 'storage_unwritable',
  StorageUnavailable: 'storage_unavailable',
  BadRequest: 'bad_request',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error with a stable `code` and, where there is one, the underlying `cause`. */
export class AdvisorError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AdvisorError';
    this.code = code;
  }
}

/** True when `err` is an AdvisorError, optionally with the given code. */
export function isAdvisorError(err: unknown, code?: ErrorCode): err is AdvisorError {
  return err instanceof AdvisorError && (code === undefined || err.code === code);
}
