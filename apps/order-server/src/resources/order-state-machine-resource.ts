import { CHECKOUT_STEPS, COMPENSATION_STEPS, FAILURE_REASONS, ORDER_STATUSES, orderStateMachineResource } from '@mcpfed/contract-order';
import { resourceBinder } from '@mcpfed/mcp-runtime';
import { ORDER_TRANSITIONS } from '../service/order-state-machine.ts';
import type { OrderDatabase } from '../store/order-database.ts';

const STATE_MACHINE_JSON = JSON.stringify(
  {
    statuses: ORDER_STATUSES,
    transitions: ORDER_TRANSITIONS,
    checkout: {
      steps: CHECKOUT_STEPS.map((step) => ({ step, idempotency_key: step === 'confirm_order' ? null : `checkout:<order_id>:${step}` })),
      compensation: COMPENSATION_STEPS.map((step) => ({ step, idempotency_key: `checkout:<order_id>:${step}` })),
      transient_codes: ['UPSTREAM_UNAVAILABLE', 'TIMEOUT', 'RATE_LIMITED'],
      failure_reasons: FAILURE_REASONS,
    },
  },
  null,
  2,
);

/** `orders://state-machine`: statuses, transitions, checkout steps with their keys and compensations. */
export const orderStateMachineResourceBinding = resourceBinder<OrderDatabase>()(orderStateMachineResource, async (uri) => [
  { uri, mimeType: 'application/json', text: STATE_MACHINE_JSON },
]);
