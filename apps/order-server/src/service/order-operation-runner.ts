import type { Kysely } from '@mcpfed/db';
import { failureOf, inTransaction, replayFinished } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import { digest } from '@mcpfed/mcp-runtime';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { Logger } from '@mcpfed/telemetry';
import { OperationStore } from '../store/operation-store.ts';
import type { OperationRecord } from '../store/operation-store.ts';
import type { OperationTool, OrderDatabase } from '../store/order-database.ts';
import { OrderStore } from '../store/order-store.ts';
import type { OrderLineRecord, OrderRecord } from '../store/order-store.ts';
import { SagaStore } from '../store/saga-store.ts';
import { staleVersion } from './stale-version.ts';
import { upstreamContextOf } from './upstream-context.ts';
import type { UpstreamCallContext } from './upstreams.ts';
import { OperationRefused, RELEASE_ORDER } from './order-operation.ts';
import type { OperationRequest, OperationSteps } from './order-operation.ts';

/** Collaborators and settings of the {@link OrderOperationRunner}. */
export interface OrderOperationRunnerDeps {
  db: Kysely<OrderDatabase>;
  steps: Readonly<Record<OperationTool, OperationSteps>>;
  logger: Logger;
  /** How long a call may work on its operation before a retry or the sweeper may take it over, in milliseconds. */
  leaseMs: number;
}

const MAX_CLAIM_ATTEMPTS = 3;

/**
 * The signal of the bookkeeping after a failure (storing a refusal, giving a lease back): it must not end with the
 * call whose abort may be the very failure, or the operation would wait for its lease to run out.
 */
const BOOKKEEPING = new AbortController().signal;

/**
 * order_cancel, order_refund and order_fulfill as claimed operations (the payment server's operation runner, for
 * an order): (1) one transaction claims (principal, tool, key) in `order_operations`, locks the order, checks the
 * expected version, runs the tool's checks, stores the plan and marks the order busy with a new version — before
 * anything moves, so a concurrent operation is CONFLICT and moves nothing; (2) the remote calls, outside every
 * transaction, with keys derived from the operation; (3) one transaction records the change with its event,
 * frees the order and stores the response. A retry with the same key replays a finished operation or finishes a
 * pending one (repeating the remote calls, which replay); the sweeper finishes those whose caller is gone.
 */
export class OrderOperationRunner {
  readonly #deps: OrderOperationRunnerDeps;

  constructor(deps: OrderOperationRunnerDeps) {
    if (!Number.isInteger(deps.leaseMs) || deps.leaseMs < 1000) throw new RangeError('OrderOperationRunner: leaseMs must be an integer >= 1000');
    this.#deps = Object.freeze({ ...deps });
  }

  /** Runs, replays or resumes one operation; returns the tool's response. */
  async run(request: OperationRequest, ctx: RequestContext): Promise<Record<string, unknown>> {
    const { db } = this.#deps;
    const { signal } = ctx;
    const principalId = ctx.principal.id;
    const requestHash = digest(request.args);
    for (let attempt = 1; ; attempt++) {
      const existing = await new OperationStore(db, signal).find(principalId, request.tool, request.key);
      if (existing !== undefined) return this.#resume(existing, requestHash, upstreamContextOf(ctx), ctx);
      const claimed = await inTransaction(db, async (trx) => {
        const orders = new OrderStore(trx, signal);
        const operations = new OperationStore(trx, signal);
        // The order's lock first, then the claim: the claim's foreign key share-locks the order, and two claims
        // holding that share lock while each waits for the other's FOR UPDATE would deadlock.
        const locked = await orders.get(request.orderId, { forUpdate: true });
        const op = await operations.claim({
          principalId,
          tool: request.tool,
          key: request.key,
          requestHash,
          orderId: request.orderId,
          leaseMs: this.#deps.leaseMs,
        });
        if (op === undefined) return undefined;
        const { order, lines } = await this.#available(trx, locked, request.expectedVersion, signal);
        const plan = request.plan(order, lines);
        await orders.update(order.id, { busy_operation_id: op.id });
        return operations.setPlan(op.id, plan);
      });
      if (claimed !== undefined) return this.#drive(claimed, upstreamContextOf(ctx), ctx);
      // A claim of the same key committed first (found on the next turn) or rolled back (claim again).
      if (attempt >= MAX_CLAIM_ATTEMPTS)
        throw new AppError('CONFLICT', 'A concurrent call with this idempotency key is being set up; retry shortly with the same key.', { retryable: true });
    }
  }

  /** A dry run: the same checks and plan on the order as it is, with nothing locked or written. */
  async preview<P>(orderId: string, expectedVersion: number, plan: (order: OrderRecord, lines: OrderLineRecord[]) => P, ctx: Pick<RequestContext, 'signal'>) {
    const current = await new OrderStore(this.#deps.db, ctx.signal).get(orderId);
    const { order, lines } = await this.#available(this.#deps.db, current, expectedVersion, ctx.signal);
    return { order, lines, plan: plan(order, lines) };
  }

  /** Finishes pending operations nobody works on (lease released or expired); returns how many it finished. */
  async resumeUnattended(limit: number, ctx: RequestContext): Promise<number> {
    const { db, logger, leaseMs } = this.#deps;
    const operations = new OperationStore(db, ctx.signal);
    let finished = 0;
    for (const op of await operations.unattended(leaseMs, limit)) {
      const leased = await operations.takeLease(op.id, leaseMs);
      if (leased === undefined) continue;
      try {
        // Nobody waits for it any more: finished as the order server itself (docs/security.md, delegation).
        await this.#drive(leased, { signal: ctx.signal, requestId: `operation:${op.id}` }, ctx);
        finished += 1;
      } catch (error) {
        logger.warn(
          { err: error, operation_id: op.id, order_id: op.order_id, tool: op.tool },
          'could not finish a pending order operation; the next sweep tries again',
        );
      }
    }
    return finished;
  }

  /** The order and its lines, when it may be operated on: at the expected version, owned by no operation, its checkout finished. */
  async #available(db: Kysely<OrderDatabase>, order: OrderRecord, expectedVersion: number, signal: AbortSignal) {
    if (order.busy_operation_id !== null) {
      const owner = await new OperationStore(db, signal).byId(order.busy_operation_id);
      throw new AppError(
        'CONFLICT',
        `Order ${order.id} is being changed by ${owner?.tool ?? 'another operation'} (started ${owner?.created_at.toISOString() ?? 'recently'}); nothing was done. Wait a few seconds, read the order again (order_get) and decide with its new version.`,
        { retryable: true, details: { order_id: order.id, busy_with: owner?.tool ?? null, current_version: order.version } },
      );
    }
    if (order.version !== expectedVersion) throw staleVersion(order.id, order.version, expectedVersion);
    const saga = await new SagaStore(db, signal).find(order.id);
    if (order.status === 'pending' || (saga !== undefined && (saga.status === 'running' || saga.status === 'compensating'))) {
      throw new AppError('PRECONDITION_FAILED', `The checkout of order ${order.id} is still running; wait for it (order_get) and try again.`, {
        details: { order_id: order.id, status: order.status },
        retryable: true,
      });
    }
    return { order, lines: await new OrderStore(db, signal).lines([order.id]) };
  }

  async #resume(op: OperationRecord, requestHash: string, context: UpstreamCallContext, ctx: Pick<RequestContext, 'signal'>): Promise<Record<string, unknown>> {
    if (op.request_hash !== requestHash) {
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency key "${op.idempotency_key}" was already used for ${op.tool} with different arguments. Use a new key.`,
        {
          details: { idempotency_key: op.idempotency_key },
        },
      );
    }
    const replayed = replayFinished(op);
    if (replayed !== undefined) return replayed;
    const operations = new OperationStore(this.#deps.db, ctx.signal);
    const leased = await operations.takeLease(op.id, this.#deps.leaseMs);
    if (leased === undefined) {
      const again = await operations.byId(op.id);
      if (again !== undefined && again.status !== 'pending') return this.#resume(again, requestHash, context, ctx);
      throw new AppError(
        'CONFLICT',
        `An earlier call with this idempotency key is still working on order ${op.order_id}; retry in a few seconds with the same key.`,
        {
          retryable: true,
          details: { idempotency_key: op.idempotency_key, order_id: op.order_id },
        },
      );
    }
    return this.#drive(leased, context, ctx);
  }

  async #drive(op: OperationRecord, context: UpstreamCallContext, ctx: Pick<RequestContext, 'signal'>): Promise<Record<string, unknown>> {
    const steps = this.#deps.steps[op.tool];
    const plan = op.plan ?? {};
    let result: Record<string, unknown>;
    try {
      result = await steps.act(plan, op, context);
    } catch (error) {
      if (error instanceof OperationRefused) {
        await this.#fail(op, error.error);
        throw error.error;
      }
      if (AppError.is(error) && !error.retryable) {
        this.#deps.logger.warn(
          { err: error, operation_id: op.id, order_id: op.order_id, tool: op.tool },
          'an order operation was refused after it had moved something; it stays pending',
        );
      }
      await this.#releaseLease(op);
      throw error;
    }
    return this.#record(op, plan, result, ctx);
  }

  async #record(
    op: OperationRecord,
    plan: Record<string, unknown>,
    result: Record<string, unknown>,
    ctx: Pick<RequestContext, 'signal'>,
  ): Promise<Record<string, unknown>> {
    const { db, logger } = this.#deps;
    try {
      return await inTransaction(db, async (trx) => {
        const operations = new OperationStore(trx, ctx.signal);
        const current = await operations.lock(op.id);
        // Someone else finished it meanwhile (a lease outlived by a very slow call): theirs is the outcome.
        const replayed = current === undefined ? undefined : replayFinished(current);
        if (replayed !== undefined) return replayed;
        const order = await new OrderStore(trx, ctx.signal).get(op.order_id, { forUpdate: true });
        if (current === undefined || order.busy_operation_id !== op.id)
          throw new AppError('INTERNAL', `order ${op.order_id} is not held by operation ${op.id}`);
        const response = await this.#deps.steps[op.tool].record(trx, order, plan, result, ctx);
        await operations.succeed(op.id, response);
        return response;
      });
    } catch (error) {
      if (AppError.is(error) && error.details?.['replayed'] === true) throw error;
      logger.error(
        { err: error, operation_id: op.id, order_id: op.order_id, tool: op.tool },
        'recording an order operation failed; it stays pending for a retry or the sweeper',
      );
      await this.#releaseLease(op);
      throw new AppError(
        'TIMEOUT',
        `The other servers completed this ${op.tool} of order ${op.order_id}, but recording it here failed. Retry with the same idempotency key and arguments to finish it (nothing is done twice); the server also finishes it by itself.`,
        { retryable: true, cause: error, details: { outcome: 'recording_pending', order_id: op.order_id } },
      );
    }
  }

  async #fail(op: OperationRecord, error: AppError): Promise<void> {
    const { db } = this.#deps;
    const failure = failureOf(error);
    try {
      await inTransaction(db, async (trx) => {
        const operations = new OperationStore(trx, BOOKKEEPING);
        const orders = new OrderStore(trx, BOOKKEEPING);
        const current = await operations.lock(op.id);
        if (current?.status !== 'pending') return;
        const order = await orders.get(op.order_id, { forUpdate: true });
        if (order.busy_operation_id === op.id) await orders.update(order.id, RELEASE_ORDER);
        await operations.fail(op.id, failure);
      });
    } catch (storeError) {
      // It stays pending; the sweeper repeats the refused call, is refused again and stores it then.
      this.#deps.logger.error({ err: storeError, operation_id: op.id }, 'storing the refusal of an order operation failed');
    }
  }

  async #releaseLease(op: OperationRecord): Promise<void> {
    await new OperationStore(this.#deps.db, BOOKKEEPING).releaseLease(op.id).catch((error: unknown) => {
      this.#deps.logger.warn({ err: error, operation_id: op.id }, 'releasing an order operation lease failed (it expires by itself)');
    });
  }
}
