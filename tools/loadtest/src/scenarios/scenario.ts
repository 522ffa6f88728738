import type { BenchContext } from '../bench-context.ts';

/** One request of a scenario: the body and a string every correct response contains. */
export interface BenchRequest {
  /** The HTTP request body. */
  readonly body: string;
  /** A substring of a correct response (e.g. `"id":"cus_…"`): a 200 without it counts as an error. */
  readonly expect: string;
}

/** A server under test, started for one measurement. */
export interface RunningTarget {
  /** The URL requests go to, e.g. `http://127.0.0.1:40123/mcp`. */
  readonly url: string;
  /** Its last log lines (for error reports). */
  tail(): string;
  /** Stops it. */
  stop(): Promise<void>;
  /** CPU seconds its processes (every server the scenario started for it) have used so far; undefined if unknown. */
  cpuSeconds?(): number | undefined;
}

/** A scenario ready to be measured: its data exists, its requests are built. */
export interface PreparedScenario {
  /** Request headers (method is POST). */
  readonly headers: Readonly<Record<string, string>>;
  /** Requests cycled over by all connections. */
  readonly requests: readonly BenchRequest[];
  /** Starts a fresh server for one measurement. */
  start(run: number): Promise<RunningTarget>;
}

/** Targets a scenario must meet (docs/architecture.md §10). */
export interface ScenarioTargets {
  /** Minimum req/s relative to the scenario it is compared to, measured in the same run. */
  readonly minRatio?: number;
  /** Minimum absolute throughput (requests per second; for order_place, orders per second) on the median over runs. */
  readonly minRequestsPerSecond?: number;
  /** Maximum p95 latency (milliseconds). */
  readonly maxP95Ms?: number;
  /** Maximum p99 latency (milliseconds). */
  readonly maxP99Ms?: number;
  /**
   * Maximum p50 latency added over the scenario it is compared to, measured in the same run (milliseconds;
   * the median over runs of this scenario's p50 minus the reference's p50).
   */
  readonly maxAddedP50Ms?: number;
}

/** One entry of the bench: a server and the call it is measured with. */
export interface Scenario {
  /** Name in the table and for `--scenarios`, e.g. `customer_get`. */
  readonly name: string;
  /** One line on what is measured. */
  readonly description: string;
  /** Name of the scenario this one's req/s is divided by (its baseline), if any. */
  readonly comparedTo?: string;
  /** Pass/fail targets, if any. */
  readonly targets?: ScenarioTargets;
  /** Concurrent connections of this scenario when its target is defined for a fixed number; default: --connections. */
  readonly connections?: number;
  /** Builds its data and requests once per bench. */
  prepare(context: BenchContext): Promise<PreparedScenario>;
}

/** JSON-RPC headers of a Streamable HTTP request (MCP 2025-11-25). */
export function mcpHeaders(token: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-11-25',
    authorization: `Bearer ${token}`,
  };
}

/**
 * Headers of a MCP 2026-07-28 `tools/call` of `tool` over Streamable HTTP: the revision, `Mcp-Method` and `Mcp-Name`
 * (plain ASCII tool names only; the bench sends one tool per scenario), which a router may route on.
 */
export function modernToolCallHeaders(token: string, tool: string): Record<string, string> {
  return { ...mcpHeaders(token), 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': tool };
}

/** The `_meta` every 2026-07-28 request carries: its revision and the client's capabilities (no initialize). */
const MODERN_META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };

/** A 2026-07-28 `tools/call` JSON-RPC request body (the revision and client capabilities in `_meta`). */
export function modernToolCallBody(id: number, name: string, args: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, _meta: MODERN_META } });
}

/** A `tools/call` JSON-RPC request body. */
export function toolCallBody(id: number, name: string, args: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
}

/**
 * A request list generated on access, for scenarios whose every request must be new (e.g. a fresh idempotency
 * key): the load generator indexes its list once per request and restarts the index for each measurement, so
 * whatever the index, every access yields `next(sent)`, `sent` counting accesses from 1.
 */
export function endlessRequests(next: (sent: number) => BenchRequest): readonly BenchRequest[] {
  let sent = 0;
  return new Proxy<BenchRequest[]>([], {
    get(target, property, receiver) {
      if (property === 'length') return Number.MAX_SAFE_INTEGER;
      if (typeof property === 'string' && /^\d+$/.test(property)) return next(++sent);
      return Reflect.get(target, property, receiver);
    },
  });
}
