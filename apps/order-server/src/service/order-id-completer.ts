import type { Completer } from '@mcpfed/mcp-runtime';
import type { OrderDatabase } from '../store/order-database.ts';
import { completeOrderIds } from './complete-order-ids.ts';

/** The completer of every order id argument (order_support_triage's `order_id`, `order://{id}`). */
export const orderIdCompleter: Completer<OrderDatabase> = (prefix, limit, ctx) => completeOrderIds(ctx.db, prefix, limit, ctx);
