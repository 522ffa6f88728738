import { z } from 'zod';
import {
  DEVELOPMENT_AUDIT_DIGEST_KEY,
  commonServerEnv,
  domainServerEnv,
  csv,
  durationMs,
  positiveInt,
  redisKeyPrefix,
  requireSecretsOutsideDevelopment,
  sqlToolEnv,
  url,
} from '@mcpfed/config';
import { ORDER_EVENTS_QUEUE_PREFIX } from '@mcpfed/contract-order';
import { readOnlyConnectionString } from '@mcpfed/db';
import { SQL_READER_ROLE } from './store/sql-reader-role.ts';

/** Development-only value of CALLER_TOKEN_KEY (32 bytes, base64): anyone can read it here. */
export const DEVELOPMENT_CALLER_TOKEN_KEY = 'bWNwZmVkLWRldi1vbmx5LWNhbGxlci10b2tlbi1rZXk=';

/** A 32-byte key, base64 or base64url (`openssl rand -base64 32`). */
const key32 = () =>
  z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9+/_-]+={0,2}$/, 'must be base64 (openssl rand -base64 32)')
    .refine((value) => Buffer.from(value, 'base64').length === 32, 'must decode to exactly 32 bytes (openssl rand -base64 32)');

const postgresUrl = () => url({ protocols: ['postgres', 'postgresql'] });
const httpUrl = () => url({ protocols: ['http', 'https'] });
/** An amount in minor units (an integer >= 0). */
const minorUnits = () =>
  z
    .string()
    .trim()
    .regex(/^\d{1,15}$/, 'expected an amount in minor units (an integer >= 0)')
    .transform(Number);

/** The order server's environment (docs/architecture.md §2), parsed once at start by main.ts. */
export const orderConfigSchema = requireSecretsOutsideDevelopment(
  z.object({
    ...commonServerEnv(8082),
    ...domainServerEnv(),
    /** The order database, as its owner role. Required postgres:// URL. */
    DATABASE_URL: postgresUrl(),
    ...sqlToolEnv(),
    /** The customer server's MCP endpoint. Default `http://127.0.0.1:8081/mcp`. */
    CUSTOMER_MCP_URL: httpUrl().default('http://127.0.0.1:8081/mcp'),
    /** The product server's MCP endpoint. Default `http://127.0.0.1:8083/mcp`. */
    PRODUCT_MCP_URL: httpUrl().default('http://127.0.0.1:8083/mcp'),
    /** The payment server's MCP endpoint. Default `http://127.0.0.1:8084/mcp`. */
    PAYMENT_MCP_URL: httpUrl().default('http://127.0.0.1:8084/mcp'),
    /**
     * `aud` of the tokens for each upstream: its resource identifier, the upstream's own AUTH_AUDIENCE. Default the
     * upstream's MCP URL above; set it when that URL is not the upstream's public one (a proxy in between).
     */
    CUSTOMER_MCP_AUDIENCE: z.string().trim().min(1).max(2048).optional(),
    PRODUCT_MCP_AUDIENCE: z.string().trim().min(1).max(2048).optional(),
    PAYMENT_MCP_AUDIENCE: z.string().trim().min(1).max(2048).optional(),
    /**
     * How calls made for a caller authenticate upstream. `exchange` (default): the caller's token is exchanged (RFC 8693)
     * at the token endpoint for one per upstream, `sub` = the caller, `act.sub` = this server, so the upstream applies
     * the caller's scopes, limits, customer binding and audit. `service`: for a provider without token exchange, this
     * server's own client-credentials token; the upstreams then count limits and audit against the order server, and
     * only the order server's own checks bind a caller to its customer.
     */
    ORDER_UPSTREAM_AUTH: z.enum(['exchange', 'service']).default('exchange'),
    /**
     * Key that seals (AES-256-GCM) a caller's token in the order database while its checkout runs, 32 bytes base64.
     * Required outside development; in development a fixed value from this repository. Rotating it makes the tokens
     * of running checkouts unreadable: those checkouts then fail as if the token had expired.
     */
    CALLER_TOKEN_KEY: key32().optional(),
    /** This server's OAuth client id. Default `order-server`. */
    SERVICE_CLIENT_ID: z.string().trim().min(1).max(200).default('order-server'),
    /** Its client secret. Required to call the other servers (serve); from the secret store. */
    SERVICE_CLIENT_SECRET: z.string().min(1).max(500).optional(),
    /** Timeout of one attempt of an upstream call, in milliseconds. Default 5000 ms. */
    UPSTREAM_TIMEOUT_MS: durationMs(5000),
    /**
     * Calls in flight to one upstream at once (also its connection pool); one more fails at once with
     * UPSTREAM_UNAVAILABLE (load shedding). Default 256: every order_place makes one catalog lookup and the checkout
     * workers (SAGA_CONCURRENCY) add theirs.
     */
    UPSTREAM_CONCURRENCY: positiveInt(256),
    /** Consecutive failures of one upstream that open its circuit breaker (calls then fail fast). Default 5. */
    UPSTREAM_BREAKER_FAILURES: positiveInt(5),
    /**
     * The longest an open breaker refuses calls before it lets a trial call through, in milliseconds. While open it
     * asks the upstream's /readyz every 250 ms and lets the next call through as soon as that answers 200, so this
     * is the wait only while the upstream stays unready. Default 10000 ms.
     */
    UPSTREAM_BREAKER_HALF_OPEN_MS: durationMs(10_000),
    /** Job runs of one checkout before it gives up retrying transient failures and compensates. Default 8. */
    SAGA_ATTEMPTS: positiveInt(8),
    /** First retry delay of a checkout job, in milliseconds; doubles per attempt with ±50 % jitter. Default 1000 ms. */
    SAGA_BACKOFF_MS: durationMs(1000),
    /** Checkouts one process runs at once. Default 32. */
    SAGA_CONCURRENCY: positiveInt(32),
    /** Lock of a running checkout job; a crashed worker's job is taken over after it lapses, in milliseconds. Default 30000 ms. */
    SAGA_LOCK_MS: durationMs(30_000),
    /** How long order_place waits for Redis to take a job before leaving it to the sweeper, in milliseconds. Default 1000 ms. */
    SAGA_ENQUEUE_TIMEOUT_MS: durationMs(1000),
    /** A running or compensating checkout without progress for this long counts as stuck in order_workflow_list, in milliseconds. Default 60000 ms. */
    SAGA_STUCK_AFTER_MS: durationMs(60_000),
    /**
     * A running or compensating checkout without progress for this long gets its job back from the sweeper when
     * Redis does not have it (lost with Redis data, or never enqueued), in milliseconds. Default 2000 ms.
     */
    SAGA_REQUEUE_AFTER_MS: durationMs(2000),
    /** Time between sweeps (checkouts without a job, operations nobody finishes), in milliseconds. Default 2000 ms. */
    SWEEPER_INTERVAL_MS: durationMs(2000),
    /**
     * How long an order_cancel / order_refund / order_fulfill call owns its claim on the order before a retry with
     * its idempotency key, or the sweeper, may finish it, in milliseconds; also how long a released claim waits for
     * its caller's retry before the sweeper finishes it. Default 30000 ms (longer than those tools' 20 s deadline).
     */
    ORDER_OPERATION_LEASE_MS: durationMs(30_000),
    /** How long a waiting order_place goes without news of its checkout from this process before it reads it from the database, in milliseconds. Default 1000 ms. */
    PLACE_POLL_INTERVAL_MS: durationMs(1000),
    /** `ttl_seconds` of the stock reservation of a checkout. Default 900 (15 minutes). */
    RESERVATION_TTL_SECONDS: positiveInt(900),
    /** BullMQ key prefix of the checkout queue; the hash tag keeps its keys in one Redis Cluster slot. Default `{mcpfed:order}`. */
    QUEUE_PREFIX: redisKeyPrefix('{mcpfed:order}'),
    /** BullMQ key prefix of the order event queues other domains consume. Default `{mcpfed:events}`. */
    ORDER_EVENTS_PREFIX: redisKeyPrefix(ORDER_EVENTS_QUEUE_PREFIX),
    /** Domains that receive order events, comma-separated: one queue `order-events.<domain>` each. Default `customer`. */
    ORDER_EVENT_SUBSCRIBERS: csv.default(() => ['customer']),
    /** Time between outbox relay polls, in milliseconds. Default 200 ms. */
    OUTBOX_INTERVAL_MS: durationMs(200),
    /**
     * How old a published event must be before the relay checks that every subscriber's queue still has (or has
     * finished) its job, publishing it again when Redis lost it, in milliseconds. Default 2000 ms.
     */
    OUTBOX_CONFIRM_AFTER_MS: durationMs(2000),
    /** Time between those checks, in milliseconds. Default 1000 ms. */
    OUTBOX_CONFIRM_INTERVAL_MS: durationMs(1000),
    /**
     * Orders whose total is above this, in minor units, placed by a caller acting for a customer (a token with the
     * customer claim) wait for that person's approval. Default 0: every such order.
     */
    ORDER_APPROVAL_THRESHOLD_MINOR: minorUnits().default(0),
    /** The same for unbound callers (staff, services). Optional; default none: their orders are not gated. */
    ORDER_APPROVAL_UNBOUND_THRESHOLD_MINOR: minorUnits().optional(),
    /** How long a person has to decide an approval, and the caller then has to use it, in milliseconds. Default 900000 ms (15 minutes). */
    APPROVAL_TTL_MS: durationMs(900_000),
    /** The issuer where a person logs in on the approval pages. Optional; default AUTH_ISSUER. */
    APPROVAL_ISSUER: httpUrl().optional(),
    /** OAuth client of the approval pages (authorization code + PKCE; redirect URI `<PUBLIC_URL>/approvals/callback`). Default `order-approvals`. */
    APPROVAL_CLIENT_ID: z.string().trim().min(1).max(200).default('order-approvals'),
    /**
     * Its client secret, also the key of the pages' cookies. Optional; without it there are no approval pages and
     * an order that needs approval is refused (FORBIDDEN, details.approval `unavailable`). From the secret store.
     */
    APPROVAL_CLIENT_SECRET: z.string().min(16).max(500).optional(),
  }),
  { AUDIT_DIGEST_KEY: DEVELOPMENT_AUDIT_DIGEST_KEY, SQL_READER_PASSWORD: null, CALLER_TOKEN_KEY: DEVELOPMENT_CALLER_TOKEN_KEY },
).transform((config) => ({
  ...config,
  callerTokenKey: Buffer.from(config.CALLER_TOKEN_KEY as string, 'base64'),
  SQL_DATABASE_URL: config.SQL_DATABASE_URL ?? readOnlyConnectionString(config.DATABASE_URL, SQL_READER_ROLE, config.SQL_READER_PASSWORD),
}));

/** The parsed settings of the order server. */
export type OrderConfig = z.output<typeof orderConfigSchema>;
