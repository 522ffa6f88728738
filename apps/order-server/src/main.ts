import { serverApprovals } from '@mcpfed/approvals';
import { createClientCredentialsTokenSource, discoverIssuer } from '@mcpfed/auth';
import type { ServiceTokenSource } from '@mcpfed/auth';
import { ConfigError, EX_CONFIG, exitOnConfigError, resolvePublicUrl } from '@mcpfed/config';
import { SCOPES } from '@mcpfed/contract-common';
import { openServerDatabases } from '@mcpfed/db';
import { createFederationClient } from '@mcpfed/federation';
import { runMcpServer, runServerCommand, serverIcon } from '@mcpfed/mcp-runtime';
import type { ShutdownStep } from '@mcpfed/mcp-runtime';
import { createRedisConnections, registerQueueMetrics } from '@mcpfed/queue';
import { createMetrics } from '@mcpfed/telemetry';
import type { Logger, Metrics } from '@mcpfed/telemetry';
import packageJson from '../package.json' with { type: 'json' };
import { orderMigrations } from '../migrations/index.ts';
import { orderConfigSchema } from './config.ts';
import type { OrderConfig } from './config.ts';
import { buildOrderServer } from './server.ts';
import { startCheckoutWorker } from './jobs/checkout-worker.ts';
import { startOutboxRelay } from './jobs/outbox-relay.ts';
import { startSagaSweeper } from './jobs/saga-sweeper.ts';
import { OrderApprovals } from './service/order-approvals.ts';
import { createOrderDomain } from './service/order-domain.ts';
import type { Upstreams } from './service/upstreams.ts';
import type { OrderDatabase } from './store/order-database.ts';
import { ensureSqlReaderRole } from './store/sql-reader-role.ts';

const NAME = 'order-server';
const USAGE = `usage: order-server [serve [--stdio] | migrate | seed]
  serve     serve MCP over HTTP (default), or on stdin/stdout with --stdio; runs the checkout worker, the sweeper and the outbox relay
  migrate   apply the database migrations and set up the read-only SQL role
  seed      nothing to insert: orders come from order_place against the seeded customers, products and payment methods`;

const INSTRUCTIONS =
  'Orders: quote (order_quote), place (order_place runs the checkout: eligibility, stock, payment; it returns the final ' +
  'state or pending - then poll order_get), cancel, refund, fulfill and mark delivered. Prices always come from the ' +
  'product server; amounts are integer minor units with an ISO 4217 currency. Every order_place, order_cancel, ' +
  'order_refund and order_fulfill needs an idempotency_key: after a TIMEOUT retry with the same key and arguments. ' +
  'Updates take expected_version (the order version). order_workflow_get explains a pending or failed checkout.';

/** The scopes the order server asks for in its service token: what the checkout and the aftercare tools call. */
const SERVICE_SCOPES = ['customer:read', 'customer:any', 'product:read', 'product:write', 'payment:read', 'payment:write', 'payment:refund'] as const;

async function upstreams(config: OrderConfig, logger: Logger, metrics: Metrics): Promise<{ upstreams: Upstreams; close(): Promise<void> }> {
  const fatal = (message: string): never => {
    // Written synchronously: the line must not be lost to the exit.
    process.stderr.write(`${message}\n`);
    return process.exit(EX_CONFIG);
  };
  if (config.AUTH_ISSUER === undefined)
    fatal('invalid configuration: AUTH_ISSUER: required (the checkout calls the customer, product and payment servers with tokens from this issuer)');
  if (config.SERVICE_CLIENT_SECRET === undefined)
    fatal('invalid configuration: SERVICE_CLIENT_SECRET: required (the checkout calls the customer, product and payment servers)');
  // An issuer that does not answer yet is retried for 10 s: it may be starting alongside the server.
  const identity = await discoverIssuer({
    issuer: config.AUTH_ISSUER as string,
    jwksUrl: config.AUTH_JWKS_URL,
    tokenUrl: config.AUTH_TOKEN_URL,
    needsTokenEndpoint: true,
    retryForMs: 10_000,
  }).catch((error: unknown) => (error instanceof ConfigError ? fatal(error.message) : Promise.reject(error)));
  const tokens = createClientCredentialsTokenSource({
    issuer: identity.issuer,
    tokenUrl: identity.tokenUrl as string,
    clientId: config.SERVICE_CLIENT_ID,
    clientSecret: config.SERVICE_CLIENT_SECRET as string,
    scopes: SERVICE_SCOPES,
  });
  // `service` mode (a provider without token exchange): every call carries this server's own token.
  const upstreamTokens: ServiceTokenSource =
    config.ORDER_UPSTREAM_AUTH === 'exchange' ? tokens : { token: (request) => tokens.token({ ...request, subjectToken: undefined }) };
  const client = (name: string, url: string, audience: string | undefined) =>
    createFederationClient({
      name,
      url,
      tokens: upstreamTokens,
      audience: audience ?? url,
      logger,
      metrics,
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
      concurrency: config.UPSTREAM_CONCURRENCY,
      breaker: { consecutiveFailures: config.UPSTREAM_BREAKER_FAILURES, halfOpenAfterMs: config.UPSTREAM_BREAKER_HALF_OPEN_MS },
    });
  const customer = client('customer', config.CUSTOMER_MCP_URL, config.CUSTOMER_MCP_AUDIENCE);
  const product = client('product', config.PRODUCT_MCP_URL, config.PRODUCT_MCP_AUDIENCE);
  const payment = client('payment', config.PAYMENT_MCP_URL, config.PAYMENT_MCP_AUDIENCE);
  return {
    upstreams: { customer, product, payment },
    close: async () => void (await Promise.all([customer.close(), product.close(), payment.close()])),
  };
}

async function serve(config: OrderConfig, logger: Logger, transport: 'http' | 'stdio'): Promise<void> {
  const { database, sqlDatabase } = openServerDatabases<OrderDatabase>(NAME, config);
  // The checkout runs on the queue under stdio too: the order server always needs Redis.
  const redis = createRedisConnections({ url: config.REDIS_URL, service: NAME, logger });
  // Created here, not by runMcpServer: the federation clients record their calls and breaker states into them.
  const metrics = createMetrics({ service: NAME });
  const remote = await upstreams(config, logger, metrics);
  // Approval pages exist over HTTP with a client secret; without them an order that needs approval is refused.
  const { gate, pages } = exitOnConfigError(() =>
    serverApprovals(config, { http: transport === 'http', db: database.db, name: 'order', publicUrl: resolvePublicUrl(config), logger }),
  );
  const approvals = new OrderApprovals({
    gate,
    boundThresholdMinor: config.ORDER_APPROVAL_THRESHOLD_MINOR,
    unboundThresholdMinor: config.ORDER_APPROVAL_UNBOUND_THRESHOLD_MINOR,
  });
  const domain = createOrderDomain({
    approvals,
    db: database.db,
    upstreams: remote.upstreams,
    upstreamAuth: { mode: config.ORDER_UPSTREAM_AUTH, callerTokenKey: config.callerTokenKey },
    queue: {
      connection: redis.open('queue'),
      prefix: config.QUEUE_PREFIX,
      attempts: config.SAGA_ATTEMPTS,
      backoffMs: config.SAGA_BACKOFF_MS,
      enqueueTimeoutMs: config.SAGA_ENQUEUE_TIMEOUT_MS,
    },
    reservationTtlSeconds: config.RESERVATION_TTL_SECONDS,
    stuckAfterMs: config.SAGA_STUCK_AFTER_MS,
    placePollIntervalMs: config.PLACE_POLL_INTERVAL_MS,
    operationLeaseMs: config.ORDER_OPERATION_LEASE_MS,
    logger,
  });
  const worker = startCheckoutWorker({
    connection: redis.open('worker'),
    prefix: config.QUEUE_PREFIX,
    saga: domain.saga,
    concurrency: config.SAGA_CONCURRENCY,
    lockDurationMs: config.SAGA_LOCK_MS,
    logger,
  });
  const sweeper = startSagaSweeper({
    db: database.db,
    queue: domain.queue,
    operations: domain.lifecycle,
    callerTokens: domain.identity,
    intervalMs: config.SWEEPER_INTERVAL_MS,
    requeueAfterMs: config.SAGA_REQUEUE_AFTER_MS,
    logger,
  });
  const relay = startOutboxRelay({
    db: database.db,
    connection: redis.open('events'),
    prefix: config.ORDER_EVENTS_PREFIX,
    subscribers: config.ORDER_EVENT_SUBSCRIBERS,
    intervalMs: config.OUTBOX_INTERVAL_MS,
    confirmAfterMs: config.OUTBOX_CONFIRM_AFTER_MS,
    confirmIntervalMs: config.OUTBOX_CONFIRM_INTERVAL_MS,
    logger,
  });
  const steps: ShutdownStep[] = [
    { name: 'checkout worker', run: () => worker.close() },
    { name: 'sweeper', run: () => sweeper.stop() },
    { name: 'outbox relay', run: () => relay.stop() },
    { name: 'checkout queue', run: () => domain.queue.close() },
    { name: 'upstreams', run: () => remote.close() },
    { name: 'queue redis', run: () => redis.close() },
    { name: 'sql pool', run: () => sqlDatabase.close() },
  ];
  const server = buildOrderServer({ domain, sqlPool: sqlDatabase.pool, sqlStatementTimeoutMs: config.SQL_STATEMENT_TIMEOUT_MS });
  const running = await runMcpServer<OrderDatabase>({
    settings: config,
    name: NAME,
    version: packageJson.version,
    title: 'mcpfed order server',
    description: 'Quotes, places and manages orders; checkout runs as a saga over customers, stock and payments, with cancellations and refunds.',
    icons: [serverIcon('O', '#16a34a')],
    instructions: INSTRUCTIONS,
    logger,
    database,
    migrations: orderMigrations,
    ...server,
    transport,
    allScopes: SCOPES,
    shutdownSteps: steps,
    metrics,
    ...(pages === undefined ? {} : { pages }),
  });
  registerQueueMetrics(running.metrics, domain.queue.queue);
}

void runServerCommand({
  name: NAME,
  usage: USAGE,
  configSchema: orderConfigSchema,
  argv: process.argv.slice(2),
  env: process.env,
  migrate: { migrations: orderMigrations, readOnlyRole: ensureSqlReaderRole },
  seed: async ({ logger }) => logger.info('the order server has no demo data: place orders with order_place'),
  serve: ({ config, logger }, transport) => serve(config, logger, transport),
});
