import { orderSupportTriage } from '@mcpfed/contract-order';
import { promptBinder } from '@mcpfed/mcp-runtime';
import type { PromptBinding } from '@mcpfed/mcp-runtime';
import { orderIdCompleter } from '../service/order-id-completer.ts';
import type { OrderService } from '../service/order-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';

/** order_support_triage: the order, its history and its workflow, with the triage task. */
export function orderSupportTriagePrompt(orders: OrderService): PromptBinding<OrderDatabase> {
  return promptBinder<OrderDatabase>()(
    orderSupportTriage,
    async (args, ctx) => {
      const detail = await orders.get({ order_id: args.order_id }, ctx);
      const text = [
        `Triage a support request about order ${detail.order.id} (number ${detail.order.order_number}).`,
        '',
        `Every amount below is in integer minor units of ${detail.order.currency} (e.g. 1999 = 19.99).`,
        'Answer with: (1) what happened to the order, step by step, from its history and checkout workflow;',
        '(2) what is held or charged right now (authorized, captured, refunded; stock reserved or committed);',
        '(3) the next action: wait (checkout still running: poll order_get), order_workflow_retry (workflow stuck',
        '    and its cause fixed), order_cancel (confirmed, not shipped), order_refund (paid), or nothing;',
        '(4) the exact tool calls with arguments: expected_version is the order version below, and every write gets',
        '    one new idempotency_key reused for any retry of the same action. Run order_cancel / order_refund with',
        '    dry_run=true first and show the user the result.',
        '',
        'Order, history and workflow (JSON):',
        JSON.stringify(detail, null, 2),
      ].join('\n');
      return { description: `Support triage of order ${detail.order.id}`, messages: [{ role: 'user', content: { type: 'text', text } }] };
    },
    { complete: { order_id: orderIdCompleter } },
  );
}
