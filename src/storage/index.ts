export { FileStore, migrate, SCHEMA_VERSION } from './file.js';
export { type DirLock, lockDir } from './lock.js';
export { MemoryStore } from './memory.js';
export { SerialQueue } from './serial.js';
export type { AuditEvent, ConversationState, Feedback, Store, UserKey } from './types.js';
export { userKey } from './types.js';
