import pg from 'pg';

/** Runs one query on a short-lived connection to `url` and returns its first row. */
async function queryOne<Row extends pg.QueryResultRow>(url: string, sql: string): Promise<Row | undefined> {
  const client = new pg.Client({ connectionString: url, application_name: 'mcpfed-db-backup' });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows[0];
  } finally {
    await client.end();
  }
}

/** Major version of the PostgreSQL server at `url` (e.g. 15 for 15.20, 18 for 18.1). */
export async function serverMajorVersion(url: string): Promise<number> {
  const row = await queryOne<{ server_version_num: string }>(url, 'SHOW server_version_num');
  return Math.floor(Number(row?.server_version_num) / 10_000);
}

/** Relations a restore would collide with: tables, views and sequences outside the system schemas. */
export async function userRelationCount(url: string): Promise<number> {
  const row = await queryOne<{ count: string }>(
    url,
    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p','v','m','S') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'",
  );
  return Number(row?.count ?? 0);
}
