import { AppError } from '@mcpfed/errors';
import { isTransportFailure } from '@mcpfed/federation';
import { CallerGoneError, cancellationError, toAppError } from '@mcpfed/resilience';
import type { BreakerState, CircuitBreakerConfig } from '@mcpfed/resilience';
import type { Logger } from '@mcpfed/telemetry';
import { discoverUpstream } from './discover-upstream.ts';
import type { UpstreamSnapshot } from './discover-upstream.ts';
import type { ServiceTokens } from './service-tokens.ts';
import { UpstreamForwarder } from './upstream-forwarder.ts';
import { UpstreamIsolation } from './upstream-isolation.ts';
import type { UpstreamEntry } from './upstreams-config.ts';

/** Collaborators and settings of an {@link Upstream}. */
export interface UpstreamConfig {
  entry: UpstreamEntry;
  /** The router's service token source (discovery). */
  tokens: ServiceTokens;
  /** Audience of the service token. */
  audience: string;
  logger: Logger;
  /** Circuit breaker of calls to it. */
  breaker: CircuitBreakerConfig;
  /** Re-discovery interval while it is up, in milliseconds. */
  refreshIntervalMs: number;
  /** Probe interval while it is down, in milliseconds (how soon it heals). */
  probeIntervalMs: number;
  /** Time one discovery (initialize and every list) may take, in milliseconds. */
  discoveryTimeoutMs: number;
  /** How much longer than the deadline an upstream publishes for a tool (or resource, prompt) the router waits, in milliseconds. */
  deadlineMarginMs: number;
  /** Router name and version, sent as clientInfo on discovery. */
  clientInfo: { name: string; version: string };
}

/** Health from discovery: `starting` until the first attempt settled. */
export type UpstreamHealth = 'starting' | 'up' | 'down';

/** What /status reports of one upstream. */
export interface UpstreamStatus {
  name: string;
  url: string;
  health: UpstreamHealth;
  available: boolean;
  breaker: BreakerState;
  in_flight: number;
  tools: number;
  resources: number;
  resource_templates: number;
  prompts: number;
  server?: { name: string; version: string };
  last_discovery_at?: string;
  last_error?: string;
}

/**
 * One upstream server: its forwarding pool, its isolation (timeout, circuit breaker, concurrency limit),
 * its health and its last discovered catalog. Discovery runs at start and every `refreshIntervalMs` while it
 * is up, every `probeIntervalMs` while it is down; a call that cannot reach it marks it down at once.
 */
export class Upstream {
  readonly name: string;
  readonly entry: UpstreamEntry;
  readonly forwarder: UpstreamForwarder;
  readonly #config: UpstreamConfig;
  readonly #isolation: UpstreamIsolation;
  readonly #listeners = new Set<() => void>();
  #snapshot: UpstreamSnapshot | undefined;
  #health: UpstreamHealth = 'starting';
  #lastError: string | undefined;
  #lastDiscoveryAt: Date | undefined;
  #timer: NodeJS.Timeout | undefined;
  #nextDiscoveryAt = 0;
  #discoveryStartedAt = 0;
  #discovering: Promise<void> | undefined;
  #stopped = false;

  /** Its resource identifier: the audience of tokens exchanged for it (entry `resource`, default its URL). */
  get resource(): string {
    return this.entry.resource ?? this.entry.url;
  }

  constructor(config: UpstreamConfig) {
    this.#config = config;
    this.entry = config.entry;
    this.name = config.entry.name;
    this.forwarder = new UpstreamForwarder({ name: this.name, url: this.entry.url, connections: this.entry.concurrency });
    this.#isolation = new UpstreamIsolation({ name: this.name, breaker: config.breaker, concurrency: this.entry.concurrency });
    this.#isolation.onBreakerStateChange((state) => {
      config.logger.warn({ upstream: this.name, breaker: state }, 'upstream circuit breaker changed state');
      this.#changed();
    });
  }

  /** The catalog of its last successful discovery (kept while it is down, so its tools stay routed). */
  get snapshot(): UpstreamSnapshot | undefined {
    return this.#snapshot;
  }

  get health(): UpstreamHealth {
    return this.#health;
  }

  get breakerState(): BreakerState {
    return this.#isolation.breakerState;
  }

  /** Whether calls go through: discovery reaches it and its breaker is not open. */
  get available(): boolean {
    return this.#health === 'up' && this.#isolation.breakerState !== 'open';
  }

  /** Calls in flight to it right now. */
  get inFlight(): number {
    return this.#isolation.inFlight;
  }

  /** Subscribes to changes of its catalog, health or breaker state. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Timeout of one call of `tool` (or of a non-tool request), in milliseconds: the entry's `tool_timeout_ms` for
   * it, else the deadline the upstream published for it plus the margin (so the server's own TIMEOUT answer
   * arrives first), else the entry's `timeout_ms`.
   */
  timeoutFor(tool?: string, deadlineMs?: number): number {
    const override = tool === undefined ? undefined : this.entry.tool_timeout_ms[tool];
    return override ?? (deadlineMs === undefined ? this.entry.timeout_ms : deadlineMs + this.#config.deadlineMarginMs);
  }

  /** Starts the discovery loop; resolves after the first attempt (successful or not: the router starts degraded). */
  async start(): Promise<void> {
    await this.refresh();
  }

  /** Discovers now (one attempt at a time) and schedules the next one. */
  refresh(): Promise<void> {
    if (this.#discovering === undefined) this.#discoveryStartedAt = Date.now();
    this.#discovering ??= this.#discover().finally(() => {
      this.#discovering = undefined;
      this.#schedule(this.#health === 'up' ? this.#config.refreshIntervalMs : this.#config.probeIntervalMs);
    });
    return this.#discovering;
  }

  /** Stops the discovery loop and closes the pooled connections. */
  async close(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#discovering?.catch(() => undefined);
    await this.forwarder.close();
  }

  /**
   * Runs one call to this upstream under its {@link UpstreamIsolation}: fails at once with UPSTREAM_UNAVAILABLE
   * (retryable, `retry_after_ms`) while it is down or its breaker is open or its concurrency limit is full;
   * otherwise `fn` runs with a signal that aborts after `timeoutMs` (TIMEOUT) or when `signal` aborts. A transport
   * failure marks it down, so the next calls fail fast until a probe finds it back; a timeout makes the router
   * probe it, and an upstream that does not answer its discovery either is marked down for all.
   */
  async run<T>(fn: (signal: AbortSignal) => Promise<T>, options: { timeoutMs: number; signal?: AbortSignal | undefined }): Promise<T> {
    if (this.#health !== 'up') throw this.#downError();
    try {
      return await this.#isolation.run(fn, options);
    } catch (error) {
      if (error instanceof CallerGoneError) throw cancellationError(error.reason);
      if (isTransportFailure(error)) {
        this.markDown((error as Error).message);
        throw this.#downError();
      }
      if (AppError.is(error) && error.code === 'TIMEOUT') this.#probe();
      throw toAppError(error, this.name);
    }
  }

  /** Marks it down after a failed call and probes it soon. */
  markDown(reason: string): void {
    if (this.#health === 'down' || this.#stopped) return;
    this.#health = 'down';
    this.#lastError = reason;
    this.#config.logger.warn({ upstream: this.name, reason }, 'upstream unavailable');
    this.#schedule(this.#config.probeIntervalMs);
    this.#changed();
  }

  /** What /status shows. */
  status(): UpstreamStatus {
    const s = this.#snapshot;
    return {
      name: this.name,
      url: this.entry.url,
      health: this.#health,
      available: this.available,
      breaker: this.#isolation.breakerState,
      in_flight: this.#isolation.inFlight,
      tools: s?.tools.length ?? 0,
      resources: s?.resources.length ?? 0,
      resource_templates: s?.resourceTemplates.length ?? 0,
      prompts: s?.prompts.length ?? 0,
      ...(s ? { server: s.serverInfo } : {}),
      ...(this.#lastDiscoveryAt ? { last_discovery_at: this.#lastDiscoveryAt.toISOString() } : {}),
      ...(this.#lastError ? { last_error: this.#lastError } : {}),
    };
  }

  /** Asks the upstream whether it is alive (a discovery), at most once per probe interval. */
  #probe(): void {
    if (this.#discovering !== undefined || Date.now() - this.#discoveryStartedAt < this.#config.probeIntervalMs) return;
    void this.refresh();
  }

  #downError(): AppError {
    const retryAfterMs = Math.max(0, this.#nextDiscoveryAt - Date.now()) || this.#config.probeIntervalMs;
    const state = this.#health === 'starting' ? 'is not reachable yet' : 'is temporarily unavailable';
    return new AppError('UPSTREAM_UNAVAILABLE', `upstream "${this.name}" ${state}; retry in ${retryAfterMs} ms`, {
      details: { upstream: this.name, retry_after_ms: retryAfterMs },
    });
  }

  async #discover(): Promise<void> {
    try {
      const snapshot = await discoverUpstream({
        url: this.entry.url,
        tokens: this.#config.tokens,
        audience: this.#config.audience,
        timeoutMs: this.#config.discoveryTimeoutMs,
        clientInfo: this.#config.clientInfo,
      });
      if (this.#stopped) return;
      const before = this.#snapshot === undefined ? undefined : JSON.stringify(this.#snapshot);
      const wasUp = this.#health === 'up';
      this.#snapshot = snapshot;
      this.#health = 'up';
      this.#lastError = undefined;
      this.#lastDiscoveryAt = new Date();
      if (!wasUp) this.#config.logger.info({ upstream: this.name, tools: snapshot.tools.length }, 'upstream available');
      if (!wasUp || before !== JSON.stringify(snapshot)) this.#changed();
    } catch (error) {
      if (this.#stopped) return;
      const reason = AppError.is(error) ? error.message : error instanceof Error ? error.message : String(error);
      const wasDown = this.#health === 'down';
      this.#health = 'down';
      this.#lastError = `discovery failed: ${reason}`;
      if (!wasDown) {
        this.#config.logger.warn({ upstream: this.name, err: error }, 'upstream discovery failed; its tools answer UPSTREAM_UNAVAILABLE until it is back');
        this.#changed();
      }
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    const at = Date.now() + delayMs;
    if (this.#timer !== undefined && this.#nextDiscoveryAt <= at && this.#nextDiscoveryAt > Date.now()) return;
    clearTimeout(this.#timer);
    this.#nextDiscoveryAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.refresh();
    }, delayMs);
    this.#timer.unref();
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
