import { AppError } from '@mcpfed/errors';

/**
 * The parsed URL of a `postgres://` connection string.
 *
 * @param where the function asking, named in the error (`databaseNameOf`).
 * @throws AppError VALIDATION_FAILED naming the option `connectionString` (never its value: it may hold a password).
 */
export function connectionUrl(where: string, connectionString: string): URL {
  try {
    return new URL(connectionString);
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', `${where}: connectionString must be a postgres:// URL.`, {
      details: { option: 'connectionString' },
      cause: error,
    });
  }
}
