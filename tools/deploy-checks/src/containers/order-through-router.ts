import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** An order placed through the router and what the federation recorded for it. */
export interface PlacedOrder {
  readonly orderId: string;
  readonly status: string;
  /** order.total_amount, integer minor units. */
  readonly total: number;
  readonly currency: string;
  /** The payment's status as payment_get reports it. */
  readonly paymentStatus: string;
  readonly amountCaptured: number;
  /** Milliseconds order_place took, end to end through the router. */
  readonly placeMs: number;
  /** Tools the router listed to this caller. */
  readonly toolCount: number;
}

interface ToolResult {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
}

/**
 * Drives the containerised router as an MCP client would (the SDK's Client over Streamable HTTP, bearer token):
 * creates a customer with a shipping address and a stocked product, places an order, and reads the order and its
 * payment back. Rejects unless the order ends `confirmed` and its payment `captured` for the order's total.
 */
export async function placeOrderThroughRouter(routerUrl: string, token: string): Promise<PlacedOrder> {
  const client = new Client({ name: 'mcpfed-container-check', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(routerUrl), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  try {
    const key = () => `container-check-${randomBytes(8).toString('hex')}`;
    const call = async (name: string, args: Record<string, unknown>, timeout = 30_000): Promise<Record<string, unknown>> => {
      const result = (await client.callTool({ name, arguments: args }, undefined, { timeout, onprogress: () => undefined })) as ToolResult;
      if (result.isError === true) throw new Error(`${name} failed: ${JSON.stringify(result.structuredContent?.['error'] ?? result)}`);
      return result.structuredContent ?? {};
    };
    const toolCount = (await client.listTools()).tools.length;
    const customer = (
      await call('customer_create', {
        email: `${key()}@example.com`,
        first_name: 'Container',
        last_name: 'Check',
        addresses: [{ kind: 'shipping', line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DE' }],
      })
    )['customer'] as { id: string };
    const sku = `CTR-${randomBytes(4).toString('hex').toUpperCase()}`;
    await call('product_create', { sku, name: 'Container check lamp', category: 'test-goods', price: { amount: 2599, currency: 'EUR' } });
    await call('inventory_adjust', { sku, location: 'BER-1', delta: 5, reason: 'received', idempotency_key: key() });

    const started = Date.now();
    const placed = await call(
      'order_place',
      { customer_id: customer.id, lines: [{ sku, quantity: 2 }], payment_method: 'pm_card_visa', idempotency_key: key(), wait_ms: 20_000 },
      40_000,
    );
    const placeMs = Date.now() - started;
    const order = placed['order'] as { id: string; status: string } | undefined;
    if (order === undefined) throw new Error(`order_place answered without an order: ${JSON.stringify(placed)}`);
    if (order.status !== 'confirmed') throw new Error(`order ${order.id} ended ${order.status}, expected confirmed`);
    const read = (await call('order_get', { order_id: order.id }))['order'] as {
      status: string;
      total_amount: number;
      currency: string;
      payment: { payment_id: string | null; capture_mode: string; amount_captured: number };
    };
    if (read.payment.payment_id === null) throw new Error(`order ${order.id} is ${read.status} without a payment`);
    const payment = (await call('payment_get', { payment_id: read.payment.payment_id })) as { status?: string; amount_captured?: number };
    // capture_mode immediate (order_place's default) captures during checkout.
    if (payment.status !== 'captured' || payment.amount_captured !== read.total_amount || read.payment.amount_captured !== read.total_amount) {
      throw new Error(
        `order ${order.id} (${read.total_amount} ${read.currency}, capture ${read.payment.capture_mode}): payment ${payment.status}, captured ${payment.amount_captured}; the order says captured ${read.payment.amount_captured}`,
      );
    }
    return {
      orderId: order.id,
      status: read.status,
      total: read.total_amount,
      currency: read.currency,
      paymentStatus: payment.status,
      amountCaptured: payment.amount_captured,
      placeMs,
      toolCount,
    };
  } finally {
    await client.close();
  }
}
