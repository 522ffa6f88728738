import { createReadOnlyRoleSetup } from '@mcpfed/db';
import { ORDER_SQL_RELATIONS } from '@mcpfed/contract-order';

/** The database role order_query_sql runs as. */
export const SQL_READER_ROLE = 'order_sql_reader';

/**
 * Creates or updates `order_sql_reader`: it can log in and read the analytics views (`ORDER_SQL_RELATIONS`) and
 * nothing else. Run after migrating, as the owner of those views.
 */
export const ensureSqlReaderRole = createReadOnlyRoleSetup({ role: SQL_READER_ROLE, relations: ORDER_SQL_RELATIONS });
