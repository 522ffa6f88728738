import { customerFilterFor, customerReachOf, requireAnyCustomer } from '@mcpfed/auth';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import type { orderCancel, orderFulfill, orderRefund } from '@mcpfed/contract-order';
import type { Kysely } from '@mcpfed/db';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { Logger } from '@mcpfed/telemetry';
import type { OrderDatabase } from '../store/order-database.ts';
import { OrderStore } from '../store/order-store.ts';
import type { OrderLineRecord, OrderRecord } from '../store/order-store.ts';
import type { OrderChanges } from './order-changes.ts';
import { cancelPlan, cancelPreview, fulfillPlan, REFUND_SCOPE, refundPlan, refundScopeMissing, storableText } from './order-operation-plans.ts';
import type { CancelPlan, RefundPlan } from './order-operation-plans.ts';
import { OrderOperationRunner } from './order-operation-runner.ts';
import { orderOperationSteps } from './order-operation-steps.ts';
import { toOrderView } from './order-view.ts';
import { checkedRefund, RefundApprovalCheck } from './refund-approval-check.ts';
import type { PlannedRefund } from './refund-approval-check.ts';
import type { UpstreamAuth } from './upstream-identity.ts';
import type { Upstreams } from './upstreams.ts';

/** Collaborators and settings of {@link OrderLifecycleService}. */
export interface OrderLifecycleDeps {
  db: Kysely<OrderDatabase>;
  changes: OrderChanges;
  upstreams: Upstreams;
  logger: Logger;
  /** How long a call may work on its operation before a retry with its key or the sweeper may take over, in milliseconds. */
  operationLeaseMs: number;
  /**
   * How upstream calls authenticate for a caller (`ORDER_UPSTREAM_AUTH`). Default `exchange`. In `service` mode the
   * payment server cannot see the person behind a refund, so a refund it would put to a person is refused here.
   */
  upstreamAuth?: UpstreamAuth;
}

/**
 * What happens to an order after checkout: cancel, refund, fulfill. Each is a claimed operation
 * ({@link OrderOperationRunner}): every check and the plan run under the order's row lock and claim the order
 * (new version) before any other server is called, with keys derived from the order, the operation and the
 * caller's idempotency key; the local change then commits with its event. A loser of a race gets CONFLICT and
 * nothing moves; a local write that fails after the remote calls is finished by a retry with the same key.
 */
export class OrderLifecycleService {
  readonly #deps: OrderLifecycleDeps;
  readonly #runner: OrderOperationRunner;
  readonly #refunds: RefundApprovalCheck;

  constructor(deps: OrderLifecycleDeps) {
    this.#deps = Object.freeze({ ...deps });
    this.#runner = new OrderOperationRunner({
      db: deps.db,
      logger: deps.logger,
      leaseMs: deps.operationLeaseMs,
      steps: orderOperationSteps({ changes: deps.changes, upstreams: deps.upstreams }),
    });
    this.#refunds = new RefundApprovalCheck({
      db: deps.db,
      runner: this.#runner,
      upstreams: deps.upstreams,
      ...(deps.upstreamAuth === undefined ? {} : { upstreamAuth: deps.upstreamAuth }),
    });
  }

  /**
   * order_cancel. A cancel that gives money back (payment_action `refund`: the payment was captured) moves money
   * like order_refund and needs the caller's `payment:refund` too; its dry run says which it would be.
   */
  async cancel(input: ContractInput<typeof orderCancel>, ctx: RequestContext): Promise<ContractOutput<typeof orderCancel>> {
    await this.#requireReachable(input.order_id, ctx);
    if (input.dry_run) {
      const { order, lines, plan } = await this.#runner.preview(input.order_id, input.expected_version, cancelPlan, ctx);
      return { order: toOrderView(order, lines), dry_run: true, ...cancelPreview(plan), replayed: false };
    }
    const { idempotency_key: key, ...args } = input;
    // A caller without payment:refund is refused by the run itself, with the order's own answer.
    const refundOf = (plan: CancelPlan): PlannedRefund | undefined =>
      plan.payment_action === 'refund' && plan.payment_id !== null && ctx.hasScope(REFUND_SCOPE)
        ? { paymentId: plan.payment_id, amount: plan.refund_amount, currency: plan.currency, reason: 'order_canceled' }
        : undefined;
    const request = { tool: 'order_cancel', orderId: input.order_id, expectedVersion: input.expected_version, key } as const;
    const verdict = await this.#refunds.verdict(request, cancelPlan, refundOf, ctx);
    if (verdict.kind === 'waiting') {
      return {
        order: verdict.order,
        dry_run: false,
        payment_action: 'refund',
        refund_amount: verdict.amount,
        stock_action: 'none',
        replayed: false,
        approval: verdict.approval,
      };
    }
    const response = await this.#runner.run(
      {
        ...request,
        args,
        plan: (order, lines) => {
          const plan = cancelPlan(order, lines);
          if (plan.payment_action === 'refund' && !ctx.hasScope(REFUND_SCOPE)) throw refundScopeMissing(order, plan);
          return checkedRefund(verdict, plan, refundOf);
        },
      },
      ctx,
    );
    return response as ContractOutput<typeof orderCancel>;
  }

  /** order_refund. */
  async refund(input: ContractInput<typeof orderRefund>, ctx: RequestContext): Promise<ContractOutput<typeof orderRefund>> {
    await this.#requireReachable(input.order_id, ctx);
    const plan = (order: OrderRecord, lines: OrderLineRecord[]) => refundPlan(order, lines, input);
    if (input.dry_run) {
      const preview = await this.#runner.preview(input.order_id, input.expected_version, plan, ctx);
      return { order: toOrderView(preview.order, preview.lines), dry_run: true, refund_amount: preview.plan.amount, payment_refund_id: null, replayed: false };
    }
    const { idempotency_key: key, ...args } = input;
    const refundOf = (refund: RefundPlan): PlannedRefund => ({
      paymentId: refund.payment_id,
      amount: refund.amount,
      currency: refund.currency,
      reason: refund.reason,
    });
    const request = { tool: 'order_refund', orderId: input.order_id, expectedVersion: input.expected_version, key } as const;
    const verdict = await this.#refunds.verdict(request, plan, refundOf, ctx);
    if (verdict.kind === 'waiting') {
      return { order: verdict.order, dry_run: false, refund_amount: verdict.amount, payment_refund_id: null, replayed: false, approval: verdict.approval };
    }
    const response = await this.#runner.run({ ...request, args, plan: (order, lines) => checkedRefund(verdict, plan(order, lines), refundOf) }, ctx);
    return response as ContractOutput<typeof orderRefund>;
  }

  /** order_fulfill. */
  async fulfill(input: ContractInput<typeof orderFulfill>, ctx: RequestContext): Promise<ContractOutput<typeof orderFulfill>> {
    // Shipping is the shop's job, not the customer's.
    requireAnyCustomer(customerReachOf(ctx.principal), 'order_fulfill');
    // Text the database cannot store fails here, before the claim and before anything is captured.
    const carrier = storableText('carrier', input.carrier);
    const trackingNumber = storableText('tracking_number', input.tracking_number);
    const { idempotency_key: key, ...args } = input;
    const response = await this.#runner.run(
      {
        tool: 'order_fulfill',
        orderId: input.order_id,
        expectedVersion: input.expected_version,
        key,
        args,
        plan: (order) => fulfillPlan(order, carrier, trackingNumber),
      },
      ctx,
    );
    return response as ContractOutput<typeof orderFulfill>;
  }

  /**
   * Refuses, before anything is claimed or called, an order the caller does not reach: FORBIDDEN for a caller who
   * reaches no customer, NOT_FOUND (as for a missing order) for another customer's order. An order's customer never
   * changes, so checking before the claim is as good as checking under its lock.
   */
  async #requireReachable(orderId: string, ctx: Pick<RequestContext, 'principal' | 'signal'>): Promise<void> {
    const reach = customerReachOf(ctx.principal);
    customerFilterFor(reach);
    if (reach.kind === 'any') return;
    await new OrderStore(this.#deps.db, ctx.signal).get(orderId, { reach });
  }

  /** Finishes cancels, refunds and fulfilments whose caller is gone (the sweeper's entry point, with its job context); returns how many. */
  resumeUnattended(limit: number, ctx: RequestContext): Promise<number> {
    return this.#runner.resumeUnattended(limit, ctx);
  }
}
