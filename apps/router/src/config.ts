import { z } from 'zod';
import { commonServerEnv, durationMs, positiveInt } from '@mcpfed/config';
import { parseUpstreams } from './upstream/upstreams-config.ts';

/**
 * Every scope of the federation (docs/architecture.md §5). The router cannot import the contracts (it learns tools at
 * run time), so the list its service token asks for by default is written here.
 */
export const FEDERATION_SCOPES: readonly string[] = Object.freeze([
  'customer:read',
  'customer:write',
  'customer:pii',
  'customer:any',
  'order:read',
  'order:write',
  'product:read',
  'product:write',
  'payment:read',
  'payment:write',
  'payment:refund',
  'sql:read',
  'admin',
]);

/** The router's environment (docs/architecture.md §2, §7), parsed once at start by main.ts. */
export const routerConfigSchema = z
  .object({
    ...commonServerEnv(8080),
    /**
     * The upstream servers: a path to a JSON file, or the JSON itself (`{ "upstreams": [ { "name", "url",
     * "timeout_ms", "tool_timeout_ms", "concurrency", "enabled" } ] }`, see README). Required.
     */
    ROUTER_UPSTREAMS: z
      .string()
      .min(1)
      .transform((value, ctx) => {
        try {
          return parseUpstreams(value);
        } catch (error) {
          ctx.issues.push({ code: 'custom', message: (error as Error).message, input: value });
          return z.NEVER;
        }
      }),
    /** How often every upstream's catalog is listed again while it is up, in milliseconds. Default 30000. */
    ROUTER_REFRESH_INTERVAL_MS: durationMs(30_000),
    /** How often an upstream that is down is probed (how soon it heals), in milliseconds. Default 2000. */
    ROUTER_PROBE_INTERVAL_MS: durationMs(2000),
    /** Time one discovery of an upstream (initialize and every list) may take, in milliseconds. Default 10000. */
    ROUTER_DISCOVERY_TIMEOUT_MS: durationMs(10_000),
    /**
     * Consecutive failures of the upstream's own (transport failures, 5xx answers; not timeouts or refusals) that open
     * its circuit breaker. Default 5.
     */
    ROUTER_BREAKER_FAILURES: positiveInt(5),
    /** How long an open breaker fails calls at once before one trial call may pass, in milliseconds. Default 10000. */
    ROUTER_BREAKER_HALF_OPEN_MS: durationMs(10_000),
    /** Largest request body accepted, in bytes. Default 4194304 (4 MiB); larger bodies get 413. */
    ROUTER_MAX_BODY_BYTES: positiveInt(4 * 1024 * 1024),
    /** Largest JSON-RPC batch accepted, in messages. Default 100; larger batches get 400. */
    ROUTER_MAX_BATCH: positiveInt(100),
    /**
     * How much longer than the deadline an upstream publishes for a tool (`_meta["io.mcpfed/deadline_ms"]`) the
     * router waits for its answer, in milliseconds, so the server's own TIMEOUT arrives first. Default 1000.
     */
    ROUTER_DEADLINE_MARGIN_MS: durationMs(1000),
    /** Time a client has to send a request's headers, in milliseconds; 408 after that. Default 10000. */
    ROUTER_HEADERS_TIMEOUT_MS: positiveInt(10_000),
    /**
     * Time a client has to send a whole request (headers and body), in milliseconds; 408 after that. Answers and
     * notification streams are not limited by it. Default 30000; at least ROUTER_HEADERS_TIMEOUT_MS, or 0 for no limit.
     */
    ROUTER_BODY_TIMEOUT_MS: durationMs(30_000),
    /** Notification streams (`GET /mcp`) one principal may hold open at once; one more gets 429. Default 16. */
    ROUTER_MAX_STREAMS_PER_PRINCIPAL: positiveInt(16),
    /** Notification streams this replica holds open at once; one more gets 503. Default 1000. */
    ROUTER_MAX_STREAMS: positiveInt(1000),
    /**
     * How a caller's request is authorized at the upstreams: `exchange` — the router exchanges the caller's token
     * (RFC 8693 token exchange at AUTH_TOKEN_URL) for one addressed to that upstream, naming the router in `act`,
     * cached per caller token and upstream until it expires: no token passthrough, and each upstream may accept only
     * its own audience. `forward` — the caller's token unchanged, for a provider without token exchange: every
     * upstream must then accept the router's audience (AUTH_AUDIENCE), and a token stolen from one upstream works at
     * all of them. Default `exchange`.
     */
    ROUTER_UPSTREAM_AUTH: z.enum(['exchange', 'forward']).default('exchange'),
    /** The router's OAuth client id. Default `router`. */
    SERVICE_CLIENT_ID: z.string().trim().min(1).default('router'),
    /**
     * Scopes the router's service token asks for, space-separated. Default every scope of the federation: it
     * lists the whole catalog, then shows each caller only what its own token allows.
     */
    SERVICE_SCOPES: z
      .string()
      .trim()
      .default(FEDERATION_SCOPES.join(' '))
      .transform((value) => value.split(/\s+/).filter(Boolean)),
    /** The router's OAuth client secret. Required to serve (discovery and stdio calls need a service token). */
    SERVICE_CLIENT_SECRET: z.string().min(1).optional(),
  })
  .refine((config) => config.ROUTER_BODY_TIMEOUT_MS === 0 || config.ROUTER_BODY_TIMEOUT_MS >= config.ROUTER_HEADERS_TIMEOUT_MS, {
    message: 'must be at least ROUTER_HEADERS_TIMEOUT_MS (or 0 for no limit)',
    path: ['ROUTER_BODY_TIMEOUT_MS'],
  });

/** The parsed settings of the router. */
export type RouterConfig = z.output<typeof routerConfigSchema>;
