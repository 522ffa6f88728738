import { AppError } from '@mcpfed/errors';

/**
 * The database name of a `postgres://` connection string (percent-decoded), or `postgres` when the URL names none,
 * as libpq would default it: `databaseNameOf('postgres://app@db:5432/customer')` -> `customer`.
 */
export function databaseNameOf(connectionString: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', 'databaseNameOf: connectionString must be a postgres:// URL.', {
      details: { option: 'connectionString' },
      cause: error,
    });
  }
  return decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
}
