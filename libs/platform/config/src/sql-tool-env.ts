import { z } from 'zod';
import { durationMs, positiveInt, url } from './env-values.ts';

/**
 * The settings of a domain's read-only SQL tool (`<domain>_query_sql`, docs/architecture.md §4), the same in every
 * domain server. `SQL_READER_PASSWORD` is a secret outside development: name it in the app's
 * `requireSecretsOutsideDevelopment` (development value `null`: trust auth). The app turns an unset
 * `SQL_DATABASE_URL` into DATABASE_URL as its reader role (`readOnlyConnectionString` of @mcpfed/db).
 */
export function sqlToolEnv() {
  return {
    /**
     * Connection of the read-only role the SQL tool runs as (`<domain>_sql_reader`). Optional; default: DATABASE_URL
     * with the user replaced by that role and the password SQL_READER_PASSWORD (or none).
     */
    SQL_DATABASE_URL: url({ protocols: ['postgres', 'postgresql'] }).optional(),
    /**
     * Password `migrate` gives the reader role and the default SQL_DATABASE_URL uses. Required outside development
     * (MCPFED_ENV); in development default none (trust auth).
     */
    SQL_READER_PASSWORD: z.string().min(1).max(200).optional(),
    /** `statement_timeout` of one SQL tool statement, in milliseconds. Default 3000 ms. */
    SQL_STATEMENT_TIMEOUT_MS: durationMs(3000),
    /** Maximum connections of the read-only SQL pool. Default 2. */
    SQL_POOL_MAX: positiveInt(2),
  };
}
