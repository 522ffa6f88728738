import type { Kysely } from '@mcpfed/db';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { OrderDatabase } from '../store/order-database.ts';
import { OrderStore } from '../store/order-store.ts';
import { toOrderView } from './order-view.ts';
import type { OrderView } from './order-view.ts';

/** An order with its lines, as the tools show it (NOT_FOUND when there is none). */
export async function readOrderView(db: Kysely<OrderDatabase>, orderId: string, ctx: Pick<RequestContext, 'signal'>): Promise<OrderView> {
  const orders = new OrderStore(db, ctx.signal);
  const order = await orders.get(orderId);
  return toOrderView(order, await orders.lines([orderId]));
}
