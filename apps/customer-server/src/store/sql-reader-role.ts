import { createReadOnlyRoleSetup } from '@mcpfed/db';
import { CUSTOMER_SQL_RELATIONS } from '@mcpfed/contract-customer';

/** The database role customer_query_sql runs as. */
export const SQL_READER_ROLE = 'customer_sql_reader';

/** Options of {@link ensureSqlReaderRole}: the customer database and the role's password (default none). */
export type { ReadOnlyRoleSetupOptions as SqlReaderRoleOptions } from '@mcpfed/db';

/**
 * Creates or updates `customer_sql_reader`: it can log in, read the analytics views (`CUSTOMER_SQL_RELATIONS`) and nothing
 * else. Run after migrating, as the owner of those views.
 */
export const ensureSqlReaderRole = createReadOnlyRoleSetup({ role: SQL_READER_ROLE, relations: CUSTOMER_SQL_RELATIONS });
