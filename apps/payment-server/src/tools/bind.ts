import { toolBinder } from '@mcpfed/mcp-runtime';
import type { ResourceLinkSpec } from '@mcpfed/mcp-runtime';
import type { PaymentDatabase } from '../store/payment-database.ts';

/** Binds a payment contract entry to its handler. */
export const bindTool = toolBinder<PaymentDatabase>();

/** A `resource_link` to a payment. */
export function paymentLink(id: string): ResourceLinkSpec {
  return { uri: `payment://${id}`, name: id, title: `Payment ${id}`, mimeType: 'application/json' };
}
