import type { Completer } from '@mcpfed/mcp-runtime';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { completeCustomerIds } from './complete-customer-ids.ts';

/** The completer of every customer id argument (prompts' `customer_id`, `customer://{id}`). */
export const customerIdCompleter: Completer<CustomerDatabase> = (prefix, limit, ctx) => completeCustomerIds(ctx.db, prefix, limit, ctx);
