import pg from 'pg';

/** Major version of the PostgreSQL server at `url` (e.g. 15 for 15.20, 18 for 18.1). */
export async function serverMajorVersion(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, application_name: 'mcpfed-db-backup' });
  await client.connect();
  try {
    const result = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    return Math.floor(Number(result.rows[0]?.server_version_num) / 10_000);
  } finally {
    await client.end();
  }
}

/** Relations a restore would collide with: tables, views and sequences outside the system schemas. */
export async function userRelationCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, application_name: 'mcpfed-db-backup' });
  await client.connect();
  try {
    const result = await client.query<{ count: string }>(
      "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p','v','m','S') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'",
    );
    return Number(result.rows[0]?.count ?? 0);
  } finally {
    await client.end();
  }
}
