import { customerReachOf, requireAnyCustomer } from '@mcpfed/auth';
import { z } from 'zod';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import type { orderWorkflowGet, orderWorkflowList, orderWorkflowRetry } from '@mcpfed/contract-order';
import { decodeCursor, encodeCursor } from '@mcpfed/db';
import type { Kysely } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { CheckoutQueue } from '../jobs/checkout-queue.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { SagaStore } from '../store/saga-store.ts';
import { toWorkflowView } from './workflow-view.ts';

const listCursor = z.object({ updated_at: z.string(), order_id: z.string(), state: z.string() });

/** Collaborators of {@link WorkflowService}. */
export interface WorkflowServiceDeps {
  db: Kysely<OrderDatabase>;
  queue: Pick<CheckoutQueue, 'enqueue' | 'isQueued'>;
  /** Unfinished sagas without progress for this long count as stuck, in milliseconds. */
  stuckAfterMs: number;
}

/** Reading and restarting checkout workflows: operators' tools, for staff and services (`customer:any`) only. */
export class WorkflowService {
  readonly #deps: WorkflowServiceDeps;

  constructor(deps: WorkflowServiceDeps) {
    this.#deps = Object.freeze({ ...deps });
  }

  /** order_workflow_get. */
  async get(
    input: ContractInput<typeof orderWorkflowGet>,
    ctx: Pick<RequestContext, 'principal' | 'signal'>,
  ): Promise<ContractOutput<typeof orderWorkflowGet>> {
    requireAnyCustomer(customerReachOf(ctx.principal), 'order_workflow_get');
    return toWorkflowView(await new SagaStore(this.#deps.db, ctx.signal).get(input.order_id));
  }

  /** order_workflow_list. */
  async list(
    input: ContractInput<typeof orderWorkflowList>,
    ctx: Pick<RequestContext, 'principal' | 'signal'>,
  ): Promise<ContractOutput<typeof orderWorkflowList>> {
    requireAnyCustomer(customerReachOf(ctx.principal), 'order_workflow_list');
    const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, listCursor);
    if (after !== undefined && after.state !== input.state) {
      throw new AppError('VALIDATION_FAILED', 'cursor is invalid or expired; request the first page again without a cursor.', { details: { field: 'cursor' } });
    }
    const rows = await new SagaStore(this.#deps.db, ctx.signal).list({
      state: input.state,
      stuckAfterMs: this.#deps.stuckAfterMs,
      after,
      limit: input.limit + 1,
    });
    const page = rows.slice(0, input.limit);
    const last = page.at(-1);
    return {
      items: page.map(toWorkflowView),
      next_cursor:
        rows.length > input.limit && last !== undefined
          ? encodeCursor({ updated_at: last.updated_at.toISOString(), order_id: last.order_id, state: input.state })
          : null,
    };
  }

  /** order_workflow_retry. */
  async retry(
    input: ContractInput<typeof orderWorkflowRetry>,
    ctx: Pick<RequestContext, 'principal' | 'signal'>,
  ): Promise<ContractOutput<typeof orderWorkflowRetry>> {
    requireAnyCustomer(customerReachOf(ctx.principal), 'order_workflow_retry');
    const saga = await new SagaStore(this.#deps.db, ctx.signal).get(input.order_id);
    if (saga.status === 'completed' || saga.status === 'failed') {
      throw new AppError('PRECONDITION_FAILED', `The checkout of order ${saga.order_id} already ${saga.status}; there is nothing to retry.`, {
        details: { order_id: saga.order_id, status: saga.status },
      });
    }
    if (!(await this.#deps.queue.isQueued(saga.order_id)) && !(await this.#deps.queue.enqueue(saga.order_id))) {
      throw new AppError('UPSTREAM_UNAVAILABLE', 'The checkout queue is unreachable; the sweeper will pick the workflow up when it is back.', {
        retryable: true,
      });
    }
    return { workflow: toWorkflowView(saga), queued: true };
  }
}
