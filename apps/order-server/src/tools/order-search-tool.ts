import { orderSearch } from '@mcpfed/contract-order';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { OrderService } from '../service/order-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool, orderLink } from './bind.ts';

/** orderSearch -> OrderService.search. */
export function orderSearchTool(service: OrderService): ToolBinding<OrderDatabase> {
  return bindTool(orderSearch, (input, ctx) => service.search(input, ctx), { links: (output) => output.items.map((item) => orderLink(item.id)) });
}
