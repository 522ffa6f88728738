import pg from 'pg';

/** Options of {@link withClient}. */
export interface WithClientOptions {
  /** `application_name` shown in pg_stat_activity. */
  applicationName: string;
  /** How long to wait for the connection, in milliseconds. Default 5000. */
  connectTimeoutMs?: number;
}

/**
 * Runs `fn` on one dedicated connection (not a pool) and closes it afterwards, whatever happens: for
 * administrative statements such as CREATE/DROP DATABASE, which cannot run inside a transaction or a pool's
 * shared session.
 */
export async function withClient<T>(connectionString: string, fn: (client: pg.Client) => Promise<T>, options: WithClientOptions): Promise<T> {
  const client = new pg.Client({ connectionString, application_name: options.applicationName, connectionTimeoutMillis: options.connectTimeoutMs ?? 5000 });
  // A connection error after connect() is reported by the next query; without a listener it would crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
