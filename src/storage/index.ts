export { FileStore, migrate, readAuditLog, readJsonLines, SCHEMA_VERSION } from './file.js';
export { type DirLock, lockDir } from './lock.js';
export { MemoryStore } from './memory.js';
export { KeyedQueue, SeenKeys, SerialQueue } from './serial.js';
export type {
  AuditEvent,
  ConversationState,
  EscalationRequest,
  Feedback,
  ScheduledJob,
  Store,
  StoredFlag,
  SummaryLine,
  TripRecord,
  UnansweredQuestion,
  UserKey,
} from './types.js';
export { userKey } from './types.js';
