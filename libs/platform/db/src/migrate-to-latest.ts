import { AppError } from '@mcpfed/errors';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Migration } from 'kysely/migration';

/** Options of {@link migrateToLatest} and {@link pendingMigrations}. */
export interface MigrateOptions {
  /** Table recording applied migrations. Default `kysely_migration`. Never change it once used. */
  migrationTable?: string;
  /** Table Kysely locks so concurrent migrators run one at a time. Default `kysely_migration_lock`. */
  lockTable?: string;
}

const DEFAULT_MIGRATION_TABLE = 'kysely_migration';

/**
 * The key of the session-level advisory lock {@link migrateToLatest} holds for its whole run (advisory locks
 * are per database, so each domain database has its own). `hashtext('mcpfed.migrate:<migration table>')`.
 */
export function migrationLockKey(migrationTable: string = DEFAULT_MIGRATION_TABLE): string {
  return `mcpfed.migrate:${migrationTable}`;
}

/**
 * Applies every migration not yet applied, in name order, in one transaction (Kysely's Migrator). Migrations are
 * passed as imported modules (`import * as m0001 from './0001-customers.ts'`), not read from disk, so a bundled
 * app carries them. Returns the names applied by this call (empty when already up to date).
 *
 * Safe to run twice and concurrently (every replica's init container starts `migrate` at once during a rollout):
 * the whole run, creating Kysely's bookkeeping tables included, holds a session-level PostgreSQL advisory lock
 * ({@link migrationLockKey}) on one connection. A second run waits for the first, then finds nothing to apply.
 *
 * Throws AppError INTERNAL naming the failing migration (details `{ migration }`, the driver error as cause);
 * migrations after it are not applied, and it is rolled back.
 */
export async function migrateToLatest(
  db: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- migrations see the schema they build
  migrations: Readonly<Record<string, Migration>>,
  options: MigrateOptions = {},
): Promise<string[]> {
  const key = migrationLockKey(options.migrationTable);
  return db.connection().execute(async (connection) => {
    await sql`SELECT pg_advisory_lock(hashtext(${key}))`.execute(connection);
    try {
      return await runMigrator(connection, migrations, options);
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtext(${key}))`.execute(connection);
    }
  });
}

async function runMigrator(
  db: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- as above
  migrations: Readonly<Record<string, Migration>>,
  options: MigrateOptions,
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    // The runtime's migrations (`0000_mcp_runtime_*`) sort before a domain's: a new one sorts before domain migrations
    // a database applied already, and must still run. Order among pending migrations stays name order.
    allowUnorderedMigrations: true,
    ...(options.migrationTable === undefined ? {} : { migrationTableName: options.migrationTable }),
    ...(options.lockTable === undefined ? {} : { migrationLockTableName: options.lockTable }),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    throw new AppError('INTERNAL', failed === undefined ? 'Migrating the database failed.' : `Migration "${failed}" failed.`, {
      details: { migration: failed ?? null },
      cause: error,
    });
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

/**
 * The names of `migrations` the database has not applied yet, in name order: empty when its schema is what the
 * code expects. A database without the migration table has applied none. Read-only; `/readyz` asks it, so a new
 * version whose migrations have not run never takes traffic.
 */
export async function pendingMigrations(
  db: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- reads only the migration table
  migrations: Readonly<Record<string, Migration>>,
  options: Pick<MigrateOptions, 'migrationTable'> = {},
): Promise<string[]> {
  const table = options.migrationTable ?? DEFAULT_MIGRATION_TABLE;
  const exists = await sql<{ found: string | null }>`SELECT to_regclass(${table}) AS found`.execute(db);
  const applied = new Set<string>();
  if (exists.rows[0]?.found != null) {
    const rows = await sql<{ name: string }>`SELECT name FROM ${sql.table(table)}`.execute(db);
    for (const row of rows.rows) applied.add(row.name);
  }
  return Object.keys(migrations)
    .filter((name) => !applied.has(name))
    .sort();
}
