import { ensureReadOnlyRole } from '@mcpfed/db';
import type { SqlPool } from '@mcpfed/db';
import { PRODUCT_SQL_RELATIONS } from '@mcpfed/contract-product';

/** The database role product_query_sql runs as. */
export const SQL_READER_ROLE = 'product_sql_reader';

/** Options of {@link ensureSqlReaderRole}. */
export interface SqlReaderRoleOptions {
  /** Name of the product database the role may connect to. */
  database: string;
  /** The role's password; default none (trust authentication in dev and tests). */
  password?: string | undefined;
}

/**
 * Creates or updates `product_sql_reader`: it can log in, read the analytics views (`PRODUCT_SQL_RELATIONS`) and
 * nothing else. Run after migrating, as the owner of those views.
 */
export async function ensureSqlReaderRole(admin: SqlPool, options: SqlReaderRoleOptions): Promise<void> {
  await ensureReadOnlyRole(admin, {
    role: SQL_READER_ROLE,
    relations: PRODUCT_SQL_RELATIONS,
    database: options.database,
    ...(options.password === undefined ? {} : { password: options.password }),
  });
}
