import { createReadOnlyRoleSetup } from '@mcpfed/db';
import { PRODUCT_SQL_RELATIONS } from '@mcpfed/contract-product';

/** The database role product_query_sql runs as. */
export const SQL_READER_ROLE = 'product_sql_reader';

/** Options of {@link ensureSqlReaderRole}: the product database and the role's password (default none). */
export type { ReadOnlyRoleSetupOptions as SqlReaderRoleOptions } from '@mcpfed/db';

/**
 * Creates or updates `product_sql_reader`: it can log in, read the analytics views (`PRODUCT_SQL_RELATIONS`) and nothing
 * else. Run after migrating, as the owner of those views.
 */
export const ensureSqlReaderRole = createReadOnlyRoleSetup({ role: SQL_READER_ROLE, relations: PRODUCT_SQL_RELATIONS });
