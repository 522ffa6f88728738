import { connectionUrl } from './connection-url.ts';

/**
 * The database name of a `postgres://` connection string (percent-decoded), or `postgres` when the URL names none,
 * as libpq would default it: `databaseNameOf('postgres://app@db:5432/customer')` -> `customer`.
 */
export function databaseNameOf(connectionString: string): string {
  const url = connectionUrl('databaseNameOf', connectionString);
  return decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
}
