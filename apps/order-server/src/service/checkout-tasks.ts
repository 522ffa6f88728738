import { CHECKOUT_STEPS } from '@mcpfed/contract-order';
import type { orderPlace } from '@mcpfed/contract-order';
import type { ContractOutput } from '@mcpfed/contract-common';
import type { Kysely } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { RequestContext, TaskState } from '@mcpfed/mcp-runtime';
import type { CheckoutQueue } from '../jobs/checkout-queue.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { OrderStore } from '../store/order-store.ts';
import type { OrderRecord } from '../store/order-store.ts';
import { SagaStore } from '../store/saga-store.ts';
import type { SagaRecord } from '../store/saga-store.ts';
import { checkoutEnded } from './checkout-waiter.ts';
import { readOrderView } from './read-order-view.ts';

/** Collaborators of {@link CheckoutTasks}. */
export interface CheckoutTasksDeps {
  db: Kysely<OrderDatabase>;
  queue: Pick<CheckoutQueue, 'enqueue' | 'notify'>;
}

/**
 * The steps a checkout may be cancelled at: before the order is confirmed, so nothing has been or is being captured.
 * From confirm_order on the capture follows at once (or happened): order_cancel, which refunds, undoes it instead.
 */
const CANCELLABLE_STEPS = CHECKOUT_STEPS.slice(0, CHECKOUT_STEPS.indexOf('confirm_order'));

const CANCELLED_BY_CALLER = 'The caller cancelled the checkout (tasks/cancel) before the payment was captured.';

/**
 * order_place as an MCP Task (docs/architecture.md §4): the task is the order's checkout, its state the saga row, so
 * every replica answers and a restart loses nothing. Only the principal that placed the order sees its task.
 */
export class CheckoutTasks {
  readonly #deps: CheckoutTasksDeps;

  constructor(deps: CheckoutTasksDeps) {
    this.#deps = Object.freeze({ ...deps });
  }

  /** The task's state, or undefined when `principalId` did not place the order (or there is none). */
  async state(orderId: string, ctx: Pick<RequestContext, 'principal' | 'signal'>): Promise<TaskState | undefined> {
    const found = await this.#find(orderId, ctx);
    return found === undefined ? undefined : taskStateOf(found.order, found.saga);
  }

  /** order_place's answer for the order as it stands now (its queries end with `signal`, the call's deadline). */
  async result(orderId: string, ctx: Pick<RequestContext, 'principal' | 'signal'>): Promise<ContractOutput<typeof orderPlace>> {
    const found = await this.#find(orderId, ctx);
    if (found === undefined) throw new AppError('NOT_FOUND', `No task for order ${orderId}.`);
    return { order: await readOrderView(this.#deps.db, orderId, ctx), done: checkoutEnded(found.saga), replayed: false };
  }

  /**
   * Cancels a checkout that has not reached confirmation: compensation (void the authorization, release the stock)
   * runs in the saga's worker. A later checkout is refused with PRECONDITION_FAILED saying why.
   */
  async cancel(orderId: string, ctx: Pick<RequestContext, 'principal' | 'signal'>): Promise<void> {
    const { db, queue } = this.#deps;
    const sagas = new SagaStore(db, ctx.signal);
    const found = await this.#find(orderId, ctx);
    if (found === undefined) throw new AppError('NOT_FOUND', `No task for order ${orderId}.`);
    const cancelled = await sagas.cancel(orderId, CANCELLABLE_STEPS, CANCELLED_BY_CALLER);
    if (cancelled !== undefined) {
      queue.notify(orderId, cancelled);
      // The job carries the compensation out: the running one once its step's call returns, else a new one.
      await queue.enqueue(orderId);
      return;
    }
    const saga = await sagas.get(orderId);
    if (saga.failure_reason === 'cancelled') return;
    throw refusal(found.order, saga);
  }

  async #find(orderId: string, ctx: Pick<RequestContext, 'principal' | 'signal'>): Promise<{ order: OrderRecord; saga: SagaRecord } | undefined> {
    const { db } = this.#deps;
    const order = await new OrderStore(db, ctx.signal).find(orderId);
    // Another principal's order is the same answer as a missing one: it cannot tell the task exists.
    if (order === undefined || order.principal_id !== ctx.principal.id) return undefined;
    const saga = await new SagaStore(db, ctx.signal).find(orderId);
    return saga === undefined ? undefined : { order, saga };
  }
}

/** Why a checkout can no longer be cancelled (it left `running` at a cancellable step, or never was at one). */
function refusal(order: OrderRecord, saga: SagaRecord): AppError {
  const details = { order_id: order.id, step: saga.step, completed_steps: saga.completed_steps };
  // Refused on its own (not cancelled) while this cancel was on its way: it undoes its steps, or has undone them.
  if (saga.status === 'compensating' || saga.status === 'failed') {
    const state = saga.status === 'failed' ? 'and has undone its steps' : 'and is undoing its steps; it ends failed by itself';
    return new AppError('PRECONDITION_FAILED', `The checkout was already refused (${saga.failure_reason ?? 'failed'}) ${state}.`, {
      details: { ...details, reason: 'already_failing' },
    });
  }
  if (order.capture_mode !== 'immediate') {
    // Capture at fulfilment: the checkout captures nothing, but the order is confirmed (or about to be).
    return new AppError(
      'PRECONDITION_FAILED',
      `The checkout of order ${order.id} has reached the order's confirmation, so it can no longer be cancelled; its payment is only authorized (captured at fulfilment). order_cancel cancels the order and voids the authorization.`,
      { details: { ...details, reason: 'order_confirmed' } },
    );
  }
  if (saga.completed_steps.includes('capture_payment')) {
    return new AppError(
      'PRECONDITION_FAILED',
      `The payment of order ${order.id} was already captured, so its checkout can no longer be cancelled. Once it completes, order_cancel cancels the order and refunds the capture.`,
      { details: { ...details, reason: 'payment_captured' } },
    );
  }
  return new AppError(
    'PRECONDITION_FAILED',
    `The checkout of order ${order.id} has confirmed the order and is capturing its payment, so it can no longer be cancelled. Once it completes, order_cancel cancels the order (and refunds a capture).`,
    { details: { ...details, reason: 'capture_in_progress' } },
  );
}

/** The saga row as an MCP task state. */
export function taskStateOf(order: OrderRecord, saga: SagaRecord): TaskState {
  const times = { createdAt: new Date(saga.started_at), updatedAt: new Date(saga.updated_at) };
  if (saga.failure_reason === 'cancelled') {
    const message =
      saga.status === 'failed'
        ? 'Cancelled: the authorization was voided and the stock released.'
        : 'Cancelled: voiding the authorization and releasing the stock.';
    return { status: 'cancelled', message, ...times };
  }
  switch (saga.status) {
    case 'running':
      return { status: 'working', message: `Checkout step ${saga.completed_steps.length + 1} of ${CHECKOUT_STEPS.length}: ${saga.step}.`, ...times };
    case 'compensating':
      return { status: 'working', message: `The checkout was refused (${saga.failure_reason ?? 'failed'}); undoing its steps.`, ...times };
    case 'completed':
      return {
        status: 'completed',
        message:
          order.capture_mode === 'immediate'
            ? 'Order confirmed and its payment captured.'
            : 'Order confirmed; the payment is authorized and captured at fulfilment.',
        ...times,
      };
    case 'failed':
      return { status: 'failed', message: `The checkout failed (${saga.failure_reason ?? 'internal'}): ${saga.failure_message ?? 'see order_get'}`, ...times };
  }
}
