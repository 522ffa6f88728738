import type { Kysely } from '@mcpfed/db';
import type { Logger } from '@mcpfed/telemetry';
import type { OrderDatabase } from '../store/order-database.ts';
import { OperationStore } from '../store/operation-store.ts';
import { OrderStore } from '../store/order-store.ts';
import { OutboxStore } from '../store/outbox-store.ts';
import { SagaStore } from '../store/saga-store.ts';
import { CheckoutQueue } from './checkout-queue.ts';
import type { CheckoutQueueConfig } from './checkout-queue.ts';
import { CheckoutSaga } from './checkout-saga.ts';
import { CheckoutTasks } from './checkout-tasks.ts';
import { OrderChanges } from './order-changes.ts';
import type { OrderApprovals } from './order-approvals.ts';
import { OrderLifecycleService } from './order-lifecycle-service.ts';
import { OrderService } from './order-service.ts';
import { CallerTokenStore } from '../store/caller-token-store.ts';
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
  orders: OrderService;
  /** order_place's MCP Tasks: the checkouts, read and cancelled from their saga rows. */
  checkoutTasks: CheckoutTasks;
  lifecycle: OrderLifecycleService;
  workflows: WorkflowService;
  saga: CheckoutSaga;
  queue: CheckoutQueue;
  sagas: SagaStore;
  outbox: OutboxStore;
  /** Whose identity checkouts call upstreams with; the sweeper drops the tokens ended checkouts left. */
  identity: UpstreamIdentity;
}

/** Builds the stores and services over one database, one set of upstream clients and one checkout queue. */
export function createOrderDomain(deps: OrderDomainDeps): OrderDomain {
  const orders = new OrderStore();
  const sagas = new SagaStore();
  const outbox = new OutboxStore();
  const changes = new OrderChanges(orders, outbox);
  const queue = new CheckoutQueue({ ...deps.queue, logger: deps.logger });
  const identity = new UpstreamIdentity({ mode: deps.upstreamAuth.mode, sealer: createTokenSealer(deps.upstreamAuth.callerTokenKey), tokens: new CallerTokenStore() });
  const saga = new CheckoutSaga({
    db: deps.db,
    orders,
    sagas,
    changes,
    upstreams: deps.upstreams,
    identity,
    reservationTtlSeconds: deps.reservationTtlSeconds,
    logger: deps.logger,
    onProgress: (orderId, record) => queue.notify(orderId, record),
  });
  const service = new OrderService({ db: deps.db, orders, sagas, outbox, changes, queue, upstreams: deps.upstreams, identity, pollIntervalMs: deps.placePollIntervalMs, ...(deps.approvals === undefined ? {} : { approvals: deps.approvals }) });
  return {
    orders: service,
    checkoutTasks: new CheckoutTasks({ db: deps.db, orders, sagas, queue, service }),
    lifecycle: new OrderLifecycleService({
      db: deps.db,
      orders,
      sagas,
      operations: new OperationStore(),
      changes,
      upstreams: deps.upstreams,
      logger: deps.logger,
      operationLeaseMs: deps.operationLeaseMs,
      upstreamAuth: deps.upstreamAuth.mode,
    }),
    workflows: new WorkflowService({ db: deps.db, sagas, queue, stuckAfterMs: deps.stuckAfterMs }),
    identity,
    saga,
    queue,
    sagas,
    outbox,
  };
}
