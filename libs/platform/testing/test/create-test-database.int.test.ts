import { sql, type Kysely, type Migration } from '@mcpfed/db';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../src/create-test-database.ts';
import type { TestDatabase } from '../src/create-test-database.ts';

interface Db {
  widgets: { id: number; name: string };
}

const migrations: Record<string, Migration> = {
  '0001_widgets': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('widgets')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text')
        .execute();
      await sql`INSERT INTO widgets VALUES (1, 'seeded')`.execute(db);
    },
  },
};

async function adminQuery<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

let first: TestDatabase<Db>;
let second: TestDatabase<Db>;

beforeAll(async () => {
  // Two at once: they race for the same template, which must be built once.
  [first, second] = await Promise.all([createTestDatabase<Db>({ name: 'testing', migrations }), createTestDatabase<Db>({ name: 'testing', migrations })]);
});

afterAll(async () => {
  await first?.drop();
  await second?.drop();
});

describe('createTestDatabase', () => {
  it('gives each caller its own migrated database', async () => {
    expect(first.name).not.toBe(second.name);
    await first.db.insertInto('widgets').values({ id: 2, name: 'only in first' }).execute();
    expect(await first.db.selectFrom('widgets').select('name').orderBy('id').execute()).toEqual([{ name: 'seeded' }, { name: 'only in first' }]);
    expect(await second.db.selectFrom('widgets').select('name').orderBy('id').execute()).toEqual([{ name: 'seeded' }]);
  });

  it('clones one template per migration set, marked as a template that takes no connections', async () => {
    expect(first.template).toBe(second.template);
    expect(first.template).toMatch(/^tpl_testing_[0-9a-f]{10}$/);
    const rows = await adminQuery('SELECT datistemplate, datallowconn FROM pg_database WHERE datname = $1', [first.template]);
    expect(rows).toEqual([{ datistemplate: true, datallowconn: false }]);
  });

  it('drop() removes the database, also with connections still open, and is idempotent', async () => {
    const extra = await createTestDatabase<Db>({ name: 'testing', migrations });
    const lingering = new pg.Client({ connectionString: extra.url });
    lingering.on('error', () => undefined);
    await lingering.connect();
    await extra.drop();
    await extra.drop();
    expect(await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [extra.name])).toEqual([]);
    await lingering.end().catch(() => undefined);
  });

  it('names the failing migration when a template cannot be built, and leaves no half-built template', async () => {
    const broken: Record<string, Migration> = {
      '0001_broken': {
        async up(db: Kysely<unknown>) {
          await sql`SELECT * FROM missing_table_${sql.raw(String(Date.now()))}`.execute(db);
        },
      },
    };
    await expect(createTestDatabase({ name: 'testing_broken', migrations: broken })).rejects.toMatchObject({
      code: 'INTERNAL',
      details: { migration: '0001_broken' },
    });
    expect(await adminQuery("SELECT datname FROM pg_database WHERE datname LIKE 'tpl\\_testing\\_broken\\_%'")).toEqual([]);
  });

  it('validates the name', async () => {
    await expect(createTestDatabase({ name: 'Bad-Name', migrations })).rejects.toThrow(TypeError);
  });
});
