export { createDatabase } from './create-database.ts';
export { openServerDatabases } from './open-server-databases.ts';
export type { ServerDatabaseSettings, ServerDatabases } from './open-server-databases.ts';
export type { Database, DatabaseConfig, DatabasePool } from './create-database.ts';
export { errorCodeOf, isConnectionError, mapDatabaseError } from './map-database-error.ts';
export { loggableError } from './loggable-error.ts';
export { migrateToLatest, migrationLockKey, pendingMigrations } from './migrate-to-latest.ts';
export type { MigrateOptions } from './migrate-to-latest.ts';
export { inReadOnlyTransaction, inTransaction } from './in-transaction.ts';
export type { ReadOnlyTransactionOptions, TransactionIsolation, TransactionOptions } from './in-transaction.ts';
export { parseReadOnlyQuery } from './parse-read-only-query.ts';
export type { ParsedQuery, ParseReadOnlyQueryOptions, ReadOnlyQueryRefusal } from './parse-read-only-query.ts';
export { runReadOnlyQuery } from './run-read-only-query.ts';
export type { ReadOnlyQueryColumn, ReadOnlyQueryResult, RunReadOnlyQueryOptions } from './run-read-only-query.ts';
export { ensureReadOnlyRole, readOnlyConnectionString } from './ensure-read-only-role.ts';
export type { ReadOnlyRoleOptions } from './ensure-read-only-role.ts';
export { createReadOnlyRoleSetup } from './create-read-only-role-setup.ts';
export type { ReadOnlyRoleDefinition, ReadOnlyRoleSetup, ReadOnlyRoleSetupOptions } from './create-read-only-role-setup.ts';
export { createAnalyticsQuery } from './create-analytics-query.ts';
export type { AnalyticsQuery, AnalyticsQueryConfig, AnalyticsQueryInput, AnalyticsQueryOptions } from './create-analytics-query.ts';
export { decodeCursor, encodeCursor, MAX_CURSOR_LENGTH } from './keyset-cursor.ts';
export type { CursorValues } from './keyset-cursor.ts';
export { keysetPage } from './keyset-page.ts';
export type { KeysetPage } from './keyset-page.ts';
export { prefixPattern } from './prefix-pattern.ts';
export { searchFingerprint } from './search-fingerprint.ts';
export type { SqlClient, SqlField, SqlPool, SqlQueryable, SqlQueryConfig, SqlResult, SqlTypeParsers } from './sql-pool.ts';
export type { Kysely, Transaction } from 'kysely';
export { sql } from 'kysely';
export type { Migration } from 'kysely/migration';
export { withClient } from './with-client.ts';
export type { WithClientOptions } from './with-client.ts';
export { formatId, newId } from './new-id.ts';
export { databaseNameOf } from './database-name-of.ts';
export { ClaimedOperationStore, leaseUntil } from './claimed-operation-store.ts';
export type {
  ClaimedOperationFailure,
  ClaimedOperationRow,
  ClaimedOperationStatus,
  ClaimedOperationTable,
  ClaimedOperationTableOf,
} from './claimed-operation-store.ts';
export { failureOf, replayedFailure, replayFinished } from './replay-finished.ts';
export { isProcessAlive } from './is-process-alive.ts';
export { runningPostmasterPid } from './running-postmaster-pid.ts';
