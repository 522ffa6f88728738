import { createDatabase } from './create-database.ts';
import type { Database } from './create-database.ts';

/** The database settings every domain server's config.ts parses (docs/architecture.md §2, §4 read-only SQL). */
export interface ServerDatabaseSettings {
  /** The domain's database, as the role that owns its tables. */
  readonly DATABASE_URL: string;
  /** Connections of the main pool. */
  readonly DB_POOL_MAX: number;
  /** The read-only role `<domain>_query_sql` runs as. */
  readonly SQL_DATABASE_URL: string;
  /** Connections of the read-only SQL pool. */
  readonly SQL_POOL_MAX: number;
  /** `statement_timeout` of one read-only SQL statement, in milliseconds. */
  readonly SQL_STATEMENT_TIMEOUT_MS: number;
}

/** The two pools a domain server serves from. Close both on shutdown. */
export interface ServerDatabases<DB> {
  /** The owner role's pool: tools, stores, migrations already applied. */
  readonly database: Database<DB>;
  /** The read-only role's pool of `<domain>_query_sql`, with the SQL statement timeout. */
  readonly sqlDatabase: Database<unknown>;
}

/**
 * Opens a domain server's main pool (application name `<name>`) and its read-only SQL pool (`<name>-sql`), the
 * same way in every server.
 * @param name The app name shown in `pg_stat_activity.application_name`, e.g. `order-server`.
 */
export function openServerDatabases<DB>(name: string, settings: ServerDatabaseSettings): ServerDatabases<DB> {
  return {
    database: createDatabase<DB>({ connectionString: settings.DATABASE_URL, applicationName: name, max: settings.DB_POOL_MAX }),
    sqlDatabase: createDatabase({
      connectionString: settings.SQL_DATABASE_URL,
      applicationName: `${name}-sql`,
      max: settings.SQL_POOL_MAX,
      statementTimeoutMs: settings.SQL_STATEMENT_TIMEOUT_MS,
    }),
  };
}
