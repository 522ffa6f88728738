import type { Kysely } from '@mcpfed/db';
import type { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { OperationRecord } from '../store/operation-store.ts';
import type { OperationTool, OrderDatabase } from '../store/order-database.ts';
import type { OrderLineRecord, OrderRecord } from '../store/order-store.ts';
import type { UpstreamCallContext } from './upstreams.ts';

/** The patch that gives the order back when an operation's change is recorded: merge it into that change. */
export const RELEASE_ORDER = Object.freeze({ busy_operation_id: null });

/** A refusal from another server that moved nothing (the operation's first money step said no): the operation fails. */
export class OperationRefused extends Error {
  readonly error: AppError;
  constructor(error: AppError) {
    super(error.message, { cause: error });
    this.error = error;
  }
}

/**
 * What one tool does around its remote calls. Everything here works from the stored operation and its plan alone,
 * so a retry with the same key, or the sweeper, can finish an operation whose caller is gone.
 */
export interface OperationSteps {
  /**
   * The remote effects, outside any transaction, each idempotent by a key derived from the operation (a repeat
   * replays). Throw {@link OperationRefused} for a refusal that moved nothing.
   */
  act(plan: Record<string, unknown>, op: OperationRecord, context: UpstreamCallContext): Promise<Record<string, unknown>>;
  /** The local change (the order is locked and owned by `op`; merge {@link RELEASE_ORDER}) and the tool's response. */
  record(
    trx: Kysely<OrderDatabase>,
    order: OrderRecord,
    plan: Record<string, unknown>,
    result: Record<string, unknown>,
    ctx: Pick<RequestContext, 'signal'>,
  ): Promise<Record<string, unknown>>;
}

/** One call of a claimed tool. */
export interface OperationRequest {
  tool: OperationTool;
  orderId: string;
  expectedVersion: number;
  key: string;
  /** The arguments that define the operation (the input without idempotency_key): hashed. */
  args: Record<string, unknown>;
  /**
   * In the claim's transaction, with the order locked at the expected version, not owned by another operation and
   * its checkout finished: every check, and what to do. Throwing refuses the call with nothing written.
   */
  plan(order: OrderRecord, lines: OrderLineRecord[]): Record<string, unknown>;
}
