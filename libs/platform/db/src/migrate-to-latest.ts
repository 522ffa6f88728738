import { AppError } from '@mcpfed/errors';
import type { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Migration } from 'kysely/migration';

/** Options of {@link migrateToLatest}. */
export interface MigrateOptions {
  /** Table recording applied migrations. Default `kysely_migration`. Never change it once used. */
  migrationTable?: string;
  /** Table Kysely locks so concurrent migrators run one at a time. Default `kysely_migration_lock`. */
  lockTable?: string;
}

/**
 * Applies every migration not yet applied, in name order, each in its own transaction (Kysely's Migrator,
 * which also takes a lock so two processes starting at once do not both migrate). Migrations are passed as
 * imported modules (`import * as m0001 from './0001-customers.ts'`), not read from disk, so a bundled app
 * carries them. Returns the names applied by this call (empty when already up to date).
 *
 * Throws AppError INTERNAL naming the failing migration (details `{ migration }`, the driver error as cause);
 * migrations after it are not applied, and it is rolled back.
 */
export async function migrateToLatest(
  db: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- migrations see the schema they build
  migrations: Readonly<Record<string, Migration>>,
  options: MigrateOptions = {},
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    ...(options.migrationTable === undefined ? {} : { migrationTableName: options.migrationTable }),
    ...(options.lockTable === undefined ? {} : { migrationLockTableName: options.lockTable }),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    throw new AppError(
      'INTERNAL',
      failed === undefined ? 'Migrating the database failed.' : `Migration "${failed}" failed.`,
      { details: { migration: failed ?? null }, cause: error },
    );
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
