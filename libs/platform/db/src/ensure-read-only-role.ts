import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '@mcpfed/errors';
import { connectionUrl } from './connection-url.ts';
import { errorCodeOf } from './map-database-error.ts';
import { integerOption, quoteIdentifier, quoteRelation, RELATION_NAME, SQL_IDENTIFIER, stringOption } from './option-checks.ts';
import type { SqlClient, SqlPool } from './sql-pool.ts';

/** Options of {@link ensureReadOnlyRole}. */
export interface ReadOnlyRoleOptions {
  /** Role name, lower-case, e.g. `customer_sql_reader`. Roles are cluster-wide: use one name per domain. */
  role: string;
  /** The only tables/views the role may SELECT (`orders`, i.e. `public.orders`, or `reporting.totals`). */
  relations: readonly string[];
  /** The database the role may connect to (the domain's database). */
  database: string;
  /**
   * The role's password. Default: none — fine with local trust authentication (dev, tests); production sets one
   * from the secret store (or uses certificate/IAM authentication).
   */
  password?: string;
  /** The role's default `statement_timeout`, in milliseconds (queries also set their own). Default 5000. */
  statementTimeoutMs?: number;
}

const MAX_ATTEMPTS = 5;

/**
 * Idempotently creates or updates the least-privilege role of the `<domain>_query_sql` tool (docs/architecture.md §5):
 * `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS`, role-level
 * `default_transaction_read_only = on` and `statement_timeout`, `CONNECT` on `database`, `USAGE` on the schemas
 * of `relations`, no privilege on any other table or sequence of those schemas (revoked each run, so removing a
 * relation from the list takes effect), and `SELECT` on exactly `relations`.
 *
 * `admin` connects to `database` as a role allowed to create roles and grant on those relations (the owner).
 * Safe to run concurrently: within a database an advisory lock serializes callers; across databases (roles are
 * cluster-global) a lost race on the role (duplicate role, concurrent catalog update) is retried.
 */
export async function ensureReadOnlyRole(admin: SqlPool, options: ReadOnlyRoleOptions): Promise<void> {
  const where = 'ensureReadOnlyRole';
  const role = stringOption(where, 'role', options.role, SQL_IDENTIFIER, 'a lower-case SQL identifier');
  const database = stringOption(where, 'database', options.database, /^[^\0]{1,63}$/, 'a database name');
  const relations = options.relations.map((relation) =>
    stringOption(where, 'relations', relation, RELATION_NAME, 'lower-case relation names like "orders" or "reporting.totals"'),
  );
  if (options.password !== undefined) stringOption(where, 'password', options.password, /^[^\0]{1,200}$/, '1-200 characters');
  const timeoutMs = integerOption(where, 'statementTimeoutMs', options.statementTimeoutMs, 5000, 1, 86_400_000);

  const schemas = [...new Set(['public', ...relations.map((relation) => (relation.includes('.') ? relation.split('.')[0]! : 'public'))])];
  const r = quoteIdentifier(role);
  const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS${
    options.password === undefined ? ' PASSWORD NULL' : ` PASSWORD ${quoteLiteral(options.password)}`
  }`;

  for (let attempt = 1; ; attempt += 1) {
    const client = await admin.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtext('mcpfed.ensureReadOnlyRole'))");
      const exists = await client.query('SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', [role]);
      await client.query(`${exists.rows.length === 0 ? 'CREATE' : 'ALTER'} ROLE ${r} WITH ${attributes}`);
      await client.query(`ALTER ROLE ${r} SET default_transaction_read_only = on`);
      await client.query(`ALTER ROLE ${r} SET statement_timeout = ${timeoutMs}`);
      await client.query(`GRANT CONNECT ON DATABASE ${quoteIdentifier(database)} TO ${r}`);
      for (const schema of schemas) await grantSchema(client, schema, r);
      for (const relation of relations) await client.query(`GRANT SELECT ON TABLE ${quoteRelation(relation)} TO ${r}`);
      await client.query('COMMIT');
      client.release();
      return;
    } catch (error) {
      await client.query('ROLLBACK').then(
        () => client.release(),
        () => client.release(true),
      );
      if (attempt >= MAX_ATTEMPTS || !isLostRace(error)) {
        throw new AppError('INTERNAL', `Could not set up the read-only role "${role}".`, { details: { role }, cause: error });
      }
      await sleep(20 + Math.floor(Math.random() * 80 * attempt));
    }
  }
}

async function grantSchema(client: SqlClient, schema: string, role: string): Promise<void> {
  const s = quoteIdentifier(schema);
  await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${s} FROM ${role}`);
  await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${s} FROM ${role}`);
  await client.query(`REVOKE CREATE ON SCHEMA ${s} FROM ${role}`);
  await client.query(`GRANT USAGE ON SCHEMA ${s} TO ${role}`);
}

/**
 * Errors of two sessions (in different databases) creating or altering the same cluster-wide role at once:
 * 42710 duplicate_object, 23505 on pg_authid's unique index, "tuple concurrently updated" (XX000), and
 * serialization/deadlock failures.
 */
function isLostRace(error: unknown): boolean {
  const code = errorCodeOf(error);
  if (code === '42710' || code === '23505' || code === '40001' || code === '40P01') return true;
  return code === 'XX000' && error instanceof Error && /concurrently/.test(error.message);
}

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Returns `connectionString` with its user (and password, or none) replaced by `role`: the URL of the read-only
 * SQL pool. `readOnlyConnectionString('postgres://app:s3cret@db:5432/customer', 'customer_sql_reader')`
 * -> `postgres://customer_sql_reader@db:5432/customer`.
 */
export function readOnlyConnectionString(connectionString: string, role: string, password?: string): string {
  const url = connectionUrl('readOnlyConnectionString', connectionString);
  url.username = encodeURIComponent(stringOption('readOnlyConnectionString', 'role', role, SQL_IDENTIFIER, 'a lower-case SQL identifier'));
  url.password = password === undefined ? '' : encodeURIComponent(password);
  return url.toString();
}
