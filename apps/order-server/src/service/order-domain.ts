import type { Kysely } from '@mcpfed/db';
import type { Logger } from '@mcpfed/telemetry';
import { CheckoutQueue } from '../jobs/checkout-queue.ts';
import type { CheckoutQueueConfig } from '../jobs/checkout-queue.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { CheckoutSaga } from './checkout-saga.ts';
import { CheckoutTasks } from './checkout-tasks.ts';
import { CheckoutWaiter } from './checkout-waiter.ts';
import { OrderChanges } from './order-changes.ts';
import type { OrderApprovals } from './order-approvals.ts';
import { OrderLifecycleService } from './order-lifecycle-service.ts';
import { OrderPlacement } from './order-placement.ts';
import { OrderService } from './order-service.ts';
import { createTokenSealer } from './token-sealer.ts';
import { UpstreamIdentity } from './upstream-identity.ts';
import type { UpstreamAuth } from './upstream-identity.ts';
import type { Upstreams } from './upstreams.ts';
import { WorkflowService } from './workflow-service.ts';

/** What {@link createOrderDomain} needs. */
export interface OrderDomainDeps {
  db: Kysely<OrderDatabase>;
  upstreams: Upstreams;
  /**
   * How upstream calls made for a caller authenticate (`ORDER_UPSTREAM_AUTH`), and the 32-byte key that seals a
   * caller's token for its checkout (`CALLER_TOKEN_KEY`).
   */
  upstreamAuth: { mode: UpstreamAuth; callerTokenKey: Buffer };
  /** The checkout queue's settings (its Redis connection, prefix, retry budget). */
  queue: Omit<CheckoutQueueConfig, 'logger'>;
  /** `ttl_seconds` of stock reservations. */
  reservationTtlSeconds: number;
  /** Unfinished sagas without progress for this long are stuck, in milliseconds. */
  stuckAfterMs: number;
  /** How often a waiting order_place reads the saga from the database, in milliseconds. */
  placePollIntervalMs: number;
  /** How long a cancel, refund or fulfil may work on its claim before a retry with its key or the sweeper may take over, in milliseconds. */
  operationLeaseMs: number;
  logger: Logger;
  /** Which orders wait for a person's approval. Default none does. */
  approvals?: OrderApprovals;
}

/** The order domain's services, wired once by main.ts (and by tests). */
export interface OrderDomain {
  /** Reading and listing orders, the feed, the summary, delivery marks. */
  orders: OrderService;
  /** Quoting and placing orders (order_place starts the checkout and waits for it). */
  placement: OrderPlacement;
  /** order_place's MCP Tasks: the checkouts, read and cancelled from their saga rows. */
  checkoutTasks: CheckoutTasks;
  lifecycle: OrderLifecycleService;
  workflows: WorkflowService;
  saga: CheckoutSaga;
  queue: CheckoutQueue;
  /** Whose identity checkouts call upstreams with; the sweeper drops the tokens ended checkouts left. */
  identity: UpstreamIdentity;
}

/** Builds the services over one database, one set of upstream clients and one checkout queue. */
export function createOrderDomain(deps: OrderDomainDeps): OrderDomain {
  const { db, upstreams, logger } = deps;
  const changes = new OrderChanges();
  const queue = new CheckoutQueue({ ...deps.queue, logger });
  const identity = new UpstreamIdentity({ mode: deps.upstreamAuth.mode, sealer: createTokenSealer(deps.upstreamAuth.callerTokenKey) });
  const saga = new CheckoutSaga({
    db,
    changes,
    upstreams,
    identity,
    reservationTtlSeconds: deps.reservationTtlSeconds,
    logger,
    onProgress: (orderId, record) => queue.notify(orderId, record),
  });
  const waiter = new CheckoutWaiter({ db, queue, pollIntervalMs: deps.placePollIntervalMs });
  return {
    orders: new OrderService({ db, changes }),
    placement: new OrderPlacement({ db, changes, queue, waiter, upstreams, identity, ...(deps.approvals === undefined ? {} : { approvals: deps.approvals }) }),
    checkoutTasks: new CheckoutTasks({ db, queue }),
    lifecycle: new OrderLifecycleService({
      db,
      changes,
      upstreams,
      logger,
      operationLeaseMs: deps.operationLeaseMs,
      upstreamAuth: deps.upstreamAuth.mode,
    }),
    workflows: new WorkflowService({ db, queue, stuckAfterMs: deps.stuckAfterMs }),
    identity,
    saga,
    queue,
  };
}
