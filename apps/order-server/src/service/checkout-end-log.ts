import type { Logger } from '@mcpfed/telemetry';
import type { OrderRecord } from '../store/order-store.ts';
import type { SagaRecord } from '../store/saga-store.ts';

/**
 * The one line an operator sees per checkout at its end: ids, outcome, money, the steps done, the time since the
 * order was written (all attempts) and this run's attempt. No personal data: ids only, never names or addresses.
 */
export function logCheckoutEnd(logger: Logger, outcome: 'confirmed' | 'failed', order: OrderRecord, saga: SagaRecord, attempt: number): void {
  logger.info(
    {
      order_id: order.id,
      order_number: order.order_number,
      customer_id: order.customer_id,
      status: order.status,
      ...(outcome === 'failed' ? { failure_reason: saga.failure_reason } : {}),
      total_amount: order.total_amount === null ? null : Number(order.total_amount),
      currency: order.currency,
      steps: saga.completed_steps,
      duration_ms: Date.now() - new Date(saga.started_at).getTime(),
      attempt,
    },
    `checkout ${outcome}`,
  );
}
