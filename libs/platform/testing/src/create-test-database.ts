import { createHash, randomBytes } from 'node:crypto';
import { createDatabase, migrateToLatest, withClient, type DatabasePool, type Kysely, type Migration } from '@mcpfed/db';
import type pg from 'pg';
import { testServiceUrl } from './test-service-url.ts';

/** Options of {@link createTestDatabase}. */
export interface TestDatabaseOptions {
  /** Short lower-case name of the schema's owner, e.g. `customer`; part of the database names. */
  name: string;
  /** The project's migrations, exactly as its app passes them to `migrateToLatest`. */
  migrations: Readonly<Record<string, Migration>>;
  /** Admin (superuser) URL. Default: the global setup's `databaseUrl`, else TEST_DATABASE_URL, else local. */
  adminUrl?: string;
  /** Pool size of the returned `pool`/`db`. Default 5. */
  max?: number;
}

/** A freshly migrated database of one test file. Call `drop()` in `afterAll`. */
export interface TestDatabase<DB> {
  /** Database name, `t_<name>_<random>`. */
  readonly name: string;
  /** The template it was cloned from, `tpl_<name>_<hash of the migrations>`. */
  readonly template: string;
  /** Superuser URL of this database (for a second pool, or `readOnlyConnectionString`). */
  readonly url: string;
  /** Typed query builder over `pool`. */
  readonly db: Kysely<DB>;
  /** The pool behind `db`, connected as the superuser. */
  readonly pool: DatabasePool;
  /** Closes `db`/`pool` and drops the database, disconnecting anyone still connected. Idempotent. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh, migrated database for one test file. The migrations run once per set of migrations into
 * a template database `tpl_<name>_<hash>` (hash of the migration names and their source text); each call then
 * clones it with `CREATE DATABASE t_<name>_<random> TEMPLATE ...`, which takes milliseconds. Concurrent workers
 * build a template once: check, create and migrate happen under an advisory lock on the admin database.
 *
 * Templates of older migration sets are left behind (a few MB each); remove them with
 * `ALTER DATABASE tpl_x IS_TEMPLATE false; DROP DATABASE tpl_x;` or by deleting `.data/test-postgres`.
 */
export async function createTestDatabase<DB>(options: TestDatabaseOptions): Promise<TestDatabase<DB>> {
  if (!/^[a-z][a-z0-9_]{0,29}$/.test(options.name)) {
    throw new TypeError('createTestDatabase: name must be 1-30 lower-case letters, digits or "_", starting with a letter.');
  }
  const adminUrl = options.adminUrl ?? testServiceUrl('databaseUrl');
  const template = `tpl_${options.name}_${migrationsHash(options.migrations)}`;
  const name = `t_${options.name}_${randomBytes(6).toString('hex')}`;

  await withAdmin(adminUrl, async (admin) => {
    await ensureTemplate(admin, adminUrl, template, options.migrations);
    await admin.query(`CREATE DATABASE ${quote(name)} TEMPLATE ${quote(template)}`);
  });

  const url = databaseUrl(adminUrl, name);
  const database = createDatabase<DB>({ connectionString: url, applicationName: `mcpfed-test-${options.name}`, max: options.max ?? 5 });
  let dropping: Promise<void> | undefined;
  return Object.freeze({
    name,
    template,
    url,
    db: database.db,
    pool: database.pool,
    drop(): Promise<void> {
      dropping ??= (async () => {
        await database.close();
        await withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`));
      })();
      return dropping;
    },
  });
}

async function ensureTemplate(admin: pg.Client, adminUrl: string, template: string, migrations: Readonly<Record<string, Migration>>): Promise<void> {
  // Advisory locks are per database: every worker takes this one on the same admin database.
  await admin.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
  try {
    const existing = await admin.query<{ datistemplate: boolean }>('SELECT datistemplate FROM pg_database WHERE datname = $1', [template]);
    if (existing.rows[0]?.datistemplate === true) return;
    // A database without the template mark is a build that died half-way: start over.
    await admin.query(`DROP DATABASE IF EXISTS ${quote(template)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quote(template)}`);
    const database = createDatabase({ connectionString: databaseUrl(adminUrl, template), applicationName: 'mcpfed-test-template', max: 1 });
    try {
      await migrateToLatest(database.db, migrations);
    } catch (error) {
      await database.close();
      await admin.query(`DROP DATABASE IF EXISTS ${quote(template)} WITH (FORCE)`);
      throw error;
    }
    await database.close();
    // No connections to a template: CREATE DATABASE ... TEMPLATE refuses to copy one that is in use.
    await admin.query(`ALTER DATABASE ${quote(template)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
  } finally {
    await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
  }
}

/** Ten hex digits of SHA-256 over each migration's name and `up`/`down` source: changes when a migration does. */
function migrationsHash(migrations: Readonly<Record<string, Migration>>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(migrations).sort()) {
    const migration = migrations[name];
    hash.update(`${name}\0${migration?.up.toString() ?? ''}\0${migration?.down?.toString() ?? ''}\0`);
  }
  return hash.digest('hex').slice(0, 10);
}

function withAdmin<T>(adminUrl: string, fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  return withClient(adminUrl, fn, { applicationName: 'mcpfed-test-admin' });
}

function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
