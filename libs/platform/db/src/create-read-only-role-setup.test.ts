import { describe, expect, it } from 'vitest';
import { createReadOnlyRoleSetup } from './create-read-only-role-setup.ts';
import type { SqlClient, SqlPool, SqlQueryConfig } from './sql-pool.ts';

/** An admin pool that records statements and reports the role as new. */
function recordingPool(): { pool: SqlPool; statements: string[] } {
  const statements: string[] = [];
  const client: SqlClient = {
    async query<R>(textOrConfig: string | SqlQueryConfig) {
      statements.push(typeof textOrConfig === 'string' ? textOrConfig : textOrConfig.text);
      return { rows: [] as R[], rowCount: 0, fields: [] };
    },
    release() {},
  };
  return { pool: { query: client.query, connect: async () => client }, statements };
}

describe('createReadOnlyRoleSetup', () => {
  it('grants the bound role SELECT on exactly the bound relations in the given database', async () => {
    const setup = createReadOnlyRoleSetup({ role: 'thing_sql_reader', relations: ['analytics_things', 'reporting.totals'] });
    const { pool, statements } = recordingPool();
    await setup(pool, { database: 'things', password: undefined });
    expect(statements).toContain(
      'CREATE ROLE "thing_sql_reader" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS PASSWORD NULL',
    );
    expect(statements).toContain('GRANT CONNECT ON DATABASE "things" TO "thing_sql_reader"');
    expect(statements.filter((statement) => statement.startsWith('GRANT SELECT'))).toEqual([
      'GRANT SELECT ON TABLE "analytics_things" TO "thing_sql_reader"',
      'GRANT SELECT ON TABLE "reporting"."totals" TO "thing_sql_reader"',
    ]);
    expect(statements.at(-1)).toBe('COMMIT');
  });

  it('sets the password when given', async () => {
    const setup = createReadOnlyRoleSetup({ role: 'thing_sql_reader', relations: ['analytics_things'] });
    const { pool, statements } = recordingPool();
    await setup(pool, { database: 'things', password: "it's" });
    expect(statements.some((statement) => statement.endsWith("PASSWORD 'it''s'"))).toBe(true);
  });

  it('validates the role and relations up front', () => {
    expect(() => createReadOnlyRoleSetup({ role: 'Bad-Role', relations: ['a'] })).toThrow(/role must be a lower-case SQL identifier/);
    expect(() => createReadOnlyRoleSetup({ role: 'ok_role', relations: ['a; drop'] })).toThrow(/relations must be lower-case relation names/);
  });
});
