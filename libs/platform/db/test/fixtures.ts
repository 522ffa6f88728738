import { sql } from 'kysely';
import type { Generated, Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** Tables the integration tests use. */
export interface TestDb {
  customers: { id: string; email: string; balance: Generated<number> };
  secrets: { id: number; value: string };
  numbers: { n: number };
  samples: { id: number; big: string; price: string; at: string; day: string; doc: unknown; tags: string[]; flag: boolean; raw: Buffer };
}

/** Three ordered migrations; each test file clones the template they build. */
export const migrations: Record<string, Migration> = {
  '0001_customers': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('customers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('balance', 'integer', (c) =>
          c
            .notNull()
            .defaultTo(0)
            .check(sql`balance >= 0`),
        )
        .execute();
    },
  },
  '0002_secrets_and_numbers': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('secrets')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('value', 'text')
        .execute();
      await db.schema
        .createTable('numbers')
        .addColumn('n', 'integer', (c) => c.primaryKey())
        .execute();
      await sql`INSERT INTO secrets VALUES (1, 'the launch code')`.execute(db);
      await sql`INSERT INTO numbers SELECT generate_series(1, 25)`.execute(db);
    },
  },
  '0003_samples': {
    async up(db: Kysely<unknown>) {
      await sql`
        CREATE TABLE samples (
          id integer PRIMARY KEY, big bigint, price numeric(10, 2), at timestamptz, day date,
          doc jsonb, tags text[], flag boolean, raw bytea
        )`.execute(db);
      await sql`
        INSERT INTO samples VALUES
          (1, 9007199254740993, 12.50, '2025-01-02T03:04:05Z', '2025-01-02', '{"a": [1, 2]}', '{x,y}', true, '\\x0102')
      `.execute(db);
    },
  },
};
