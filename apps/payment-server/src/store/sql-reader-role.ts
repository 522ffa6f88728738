import { ensureReadOnlyRole } from '@mcpfed/db';
import type { SqlPool } from '@mcpfed/db';
import { PAYMENT_SQL_RELATIONS } from '@mcpfed/contract-payment';

/** The database role payment_query_sql runs as. */
export const SQL_READER_ROLE = 'payment_sql_reader';

/** Options of {@link ensureSqlReaderRole}. */
export interface SqlReaderRoleOptions {
  /** Name of the payment database the role may connect to. */
  database: string;
  /** The role's password; default none (trust authentication in dev and tests). */
  password?: string | undefined;
}

/**
 * Creates or updates `payment_sql_reader`: it can log in, read the analytics views (`PAYMENT_SQL_RELATIONS`) and
 * nothing else — not the base tables, the operations with their stored responses, nor the sandbox schema. Run
 * after migrating, as the owner of those views.
 */
export async function ensureSqlReaderRole(admin: SqlPool, options: SqlReaderRoleOptions): Promise<void> {
  await ensureReadOnlyRole(admin, {
    role: SQL_READER_ROLE,
    relations: PAYMENT_SQL_RELATIONS,
    database: options.database,
    ...(options.password === undefined ? {} : { password: options.password }),
  });
}
