import { createReadOnlyRoleSetup } from '@mcpfed/db';
import { PAYMENT_SQL_RELATIONS } from '@mcpfed/contract-payment';

/** The database role payment_query_sql runs as. */
export const SQL_READER_ROLE = 'payment_sql_reader';

/** Options of {@link ensureSqlReaderRole}: the payment database and the role's password (default none). */
export type { ReadOnlyRoleSetupOptions as SqlReaderRoleOptions } from '@mcpfed/db';

/**
 * Creates or updates `payment_sql_reader`: it can log in, read the analytics views (`PAYMENT_SQL_RELATIONS`) and
 * nothing else — not the base tables, the operations with their stored responses, nor the sandbox schema. Run
 * after migrating, as the owner of those views.
 */
export const ensureSqlReaderRole = createReadOnlyRoleSetup({ role: SQL_READER_ROLE, relations: PAYMENT_SQL_RELATIONS });
