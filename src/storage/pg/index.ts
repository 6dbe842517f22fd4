export { connectError, createPool, describeUrl, inTransaction, type Queryable } from './db.js';
export { loadMigrations, MIGRATIONS_DIR, type Migration, runMigrations } from './migrate.js';
export { PgStore, type PgStoreOptions } from './store.js';
