import { customerCheckEligibility } from '@mcpfed/contract-customer';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import { CHECKOUT_STEPS } from '@mcpfed/contract-order';
import type { orderPlace, orderQuote } from '@mcpfed/contract-order';
import { productLookup } from '@mcpfed/contract-product';
import { customerReachOf, requireCustomer } from '@mcpfed/auth';
import { inTransaction, newId } from '@mcpfed/db';
import type { Kysely } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import { digest } from '@mcpfed/mcp-runtime';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { CheckoutQueue } from '../jobs/checkout-queue.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { OrderStore } from '../store/order-store.ts';
import { SagaStore } from '../store/saga-store.ts';
import { checkoutEnded } from './checkout-waiter.ts';
import type { CheckoutWaiter } from './checkout-waiter.ts';
import type { OrderApprovals } from './order-approvals.ts';
import type { OrderChanges } from './order-changes.ts';
import { readOrderView } from './read-order-view.ts';
import { upstreamContextOf } from './upstream-context.ts';
import type { UpstreamIdentity } from './upstream-identity.ts';
import type { Upstreams } from './upstreams.ts';

/** Collaborators of {@link OrderPlacement}. */
export interface OrderPlacementDeps {
  db: Kysely<OrderDatabase>;
  changes: OrderChanges;
  queue: Pick<CheckoutQueue, 'enqueue'>;
  waiter: CheckoutWaiter;
  upstreams: Upstreams;
  /** Which orders wait for a person's approval. Default none does. */
  approvals?: OrderApprovals;
  /** Keeps the caller's token (sealed) for the checkout a worker runs later. */
  identity: UpstreamIdentity;
}

/**
 * Quoting and placing orders. Placing or quoting for a customer the caller does not reach (`customerReachOf` of
 * @mcpfed/auth) is FORBIDDEN, before anything is written or called.
 */
export class OrderPlacement {
  readonly #deps: OrderPlacementDeps;

  constructor(deps: OrderPlacementDeps) {
    this.#deps = Object.freeze({ ...deps });
  }

  /**
   * order_place: validates the SKUs against the catalog, writes the order `pending` with its saga and its
   * `order.placed` event in one transaction, enqueues the saga and waits up to wait_ms for it to finish. An order
   * that needs a person's approval (OrderApprovals) places nothing until it is approved, then uses the approval up
   * in that transaction.
   */
  async place(input: ContractInput<typeof orderPlace>, ctx: RequestContext): Promise<ContractOutput<typeof orderPlace>> {
    const { db, changes, queue, upstreams, identity, approvals } = this.#deps;
    requireCustomer(customerReachOf(ctx.principal), input.customer_id);
    const orders = new OrderStore(db, ctx.signal);
    const principalId = ctx.principal.id;
    const { idempotency_key: key, wait_ms: waitMs, ...args } = input;
    const requestHash = digest(args);
    let existing = await orders.findByKey(principalId, key);
    if (existing === undefined) {
      const lookup = await upstreams.product.call(productLookup, { skus: input.lines.map((line) => line.sku) }, upstreamContextOf(ctx));
      if (lookup.missing.length > 0) {
        throw new AppError('NOT_FOUND', `These SKUs are not in the catalog: ${lookup.missing.join(', ')}. Remove them or correct them (product_search).`, {
          details: { skus: lookup.missing },
        });
      }
      const price = new Map(lookup.items.map((item) => [item.sku, item.price]));
      const currency = lookup.items[0]?.price.currency ?? 'EUR';
      let approvalId: string | undefined;
      if (approvals !== undefined) {
        const names = new Map(lookup.items.map((item) => [item.sku, item.name]));
        const items = input.lines.map((line) => {
          const unit = price.get(line.sku)?.amount ?? 0;
          return { sku: line.sku, name: names.get(line.sku) ?? null, quantity: line.quantity, unit_amount: unit, line_amount: unit * line.quantity };
        });
        const verdict = await approvals.verdict(
          db,
          {
            idempotencyKey: key,
            argsDigest: requestHash,
            customerId: input.customer_id,
            paymentMethod: input.payment_method,
            summary: { amount: items.reduce((sum, item) => sum + item.line_amount, 0), currency, items },
          },
          ctx,
        );
        if (!verdict.place && 'state' in verdict) return { done: false, replayed: false, approval: approvals.required(verdict.state) };
        if (!verdict.place) {
          const placed = await orders.findByKey(principalId, key);
          if (placed === undefined) throw approvals.refusal(verdict.used);
          return this.#answer(placed.id, waitMs, true, ctx);
        }
        approvalId = verdict.approvalId;
      }
      const id = newId('ord');
      const inserted = await inTransaction(db, async (trx) => {
        const fresh = await new OrderStore(trx, ctx.signal).insert({
          id,
          principalId,
          idempotencyKey: key,
          requestHash,
          customerId: input.customer_id,
          captureMode: input.capture_mode,
          currency,
          shippingAddressId: input.shipping_address_id ?? null,
          paymentMethod: input.payment_method,
          lines: input.lines.map((line) => ({ sku: line.sku, quantity: line.quantity, unitPrice: price.get(line.sku)?.amount ?? 0 })),
        });
        if (fresh === undefined) return false;
        // Used up with the order it approved: one approval, one order (a rollback leaves it usable).
        if (approvalId !== undefined) await approvals?.consume(trx, approvalId);
        await new SagaStore(trx, ctx.signal).create(id, CHECKOUT_STEPS[0]);
        await identity.keep(trx, id, ctx);
        await changes.placed(trx, fresh, ctx);
        return true;
      });
      if (inserted) {
        await queue.enqueue(id, ctx.trace.traceparent);
        return this.#answer(id, waitMs, false, ctx);
      }
      existing = await orders.findByKey(principalId, key);
      if (existing === undefined) throw new AppError('CONFLICT', 'The order with this idempotency key is being written; retry shortly.', { retryable: true });
    }
    if (existing.request_hash !== requestHash) {
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency key "${key}" was already used for order ${existing.id} with different arguments. Use a new key for a new order, or resend the original arguments to get that order.`,
        { details: { idempotency_key: key, order_id: existing.id } },
      );
    }
    return this.#answer(existing.id, waitMs, true, ctx);
  }

  async #answer(orderId: string, waitMs: number, replayed: boolean, ctx: RequestContext): Promise<ContractOutput<typeof orderPlace>> {
    const saga = await this.#deps.waiter.wait(orderId, waitMs, ctx);
    return { order: await readOrderView(this.#deps.db, orderId, ctx), done: checkoutEnded(saga), replayed };
  }

  /** order_quote: current prices, stock and eligibility, without holding anything. */
  async quote(input: ContractInput<typeof orderQuote>, ctx: RequestContext): Promise<ContractOutput<typeof orderQuote>> {
    requireCustomer(customerReachOf(ctx.principal), input.customer_id);
    const context = upstreamContextOf(ctx);
    const [eligibility, lookup] = await Promise.all([
      this.#deps.upstreams.customer.call(
        customerCheckEligibility,
        { customer_id: input.customer_id, ...(input.shipping_address_id === undefined ? {} : { shipping_address_id: input.shipping_address_id }) },
        context,
      ),
      this.#deps.upstreams.product.call(productLookup, { skus: input.lines.map((line) => line.sku) }, context),
    ]);
    const items = new Map(lookup.items.map((item) => [item.sku, item]));
    const problems: ContractOutput<typeof orderQuote>['problems'] = [];
    if (!eligibility.eligible) {
      problems.push({
        code: 'customer_not_eligible',
        sku: null,
        message: eligibility.reasons.map((r) => r.message).join('; ') || 'The customer may not buy now.',
      });
    }
    const lines = input.lines.map((line) => {
      const item = items.get(line.sku);
      if (item === undefined) {
        problems.push({ code: 'sku_not_found', sku: line.sku, message: `${line.sku} is not in the catalog.` });
        return { sku: line.sku, quantity: line.quantity, name: null, unit_price: null, line_total: null, available: 0 };
      }
      if (item.status !== 'active') problems.push({ code: 'product_not_active', sku: line.sku, message: `${line.sku} is ${item.status}.` });
      const available = Math.max(0, item.available);
      if (available < line.quantity) {
        problems.push({ code: 'insufficient_stock', sku: line.sku, message: `${line.quantity} requested, ${available} available.` });
      }
      return {
        sku: line.sku,
        quantity: line.quantity,
        name: item.name,
        unit_price: item.price,
        line_total: { amount: item.price.amount * line.quantity, currency: item.price.currency },
        available,
      };
    });
    const currencies = new Set(lines.flatMap((line) => (line.unit_price === null ? [] : [line.unit_price.currency])));
    if (currencies.size > 1) problems.push({ code: 'mixed_currencies', sku: null, message: `The lines are priced in ${[...currencies].join(', ')}.` });
    const [currency] = currencies;
    const total =
      currencies.size === 1 && currency !== undefined ? { amount: lines.reduce((sum, line) => sum + (line.line_total?.amount ?? 0), 0), currency } : null;
    return { customer_id: input.customer_id, eligible: eligibility.eligible, lines, total, problems, can_place: problems.length === 0 };
  }
}
