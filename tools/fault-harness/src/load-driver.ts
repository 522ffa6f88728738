import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { callTool } from './tool-caller.ts';
import type { CallOutcome } from './tool-caller.ts';

/** One call the load made. */
export interface CallRecord {
  /** `read` (customer_get, product_get, order_get, payment_get) or `checkout` (order_place). */
  readonly kind: 'read' | 'checkout';
  readonly tool: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** The call got a result without `isError` (a checkout also had to end `confirmed`, see {@link CallRecord.confirmed}). */
  readonly ok: boolean;
  /** Failure code (see CallOutcome.code); undefined when ok. */
  readonly code: string | undefined;
  /** For checkouts: the order ended confirmed. */
  readonly confirmed: boolean;
}

/** An order_place the router answered with an order: the harness holds the server to it. */
export interface AcknowledgedOrder {
  readonly idempotencyKey: string;
  readonly orderId: string;
  /** The status in the acknowledged answer (`confirmed`, `failed` or `pending`). */
  readonly status: string;
  readonly customerId: string;
}

/** What the load calls with. */
export interface LoadDriverOptions {
  /** The router's MCP endpoint. */
  readonly url: string;
  /** One bearer token per worker (the number of workers). */
  readonly tokens: readonly string[];
  /** Customers that may buy (active, with a default shipping address). */
  readonly customers: readonly string[];
  /** Well-stocked SKUs. */
  readonly skus: readonly string[];
  /** Share of calls that are checkouts, 0-1. Default 0.3. */
  readonly checkoutShare?: number;
}

const READ_TIMEOUT_MS = 10_000;
/** order_place waits up to 10 s for its checkout here; the router gives it 35 s. */
const CHECKOUT_TIMEOUT_MS = 40_000;
const CHECKOUT_WAIT_MS = 10_000;

/**
 * A steady load of real calls through the router: reads across every domain and order_place checkouts, each with a
 * new idempotency key. A checkout whose answer is lost or retryable is sent again with the same key and arguments
 * (what a careful client does), so one key must still give one order. Every answered order is recorded as
 * acknowledged; the invariants later hold the databases to it.
 */
export class LoadDriver {
  /** Every call made so far, in completion order. */
  readonly records: CallRecord[] = [];
  /** Every acknowledged order, by idempotency key (the latest answer for the key). */
  readonly acknowledged = new Map<string, AcknowledgedOrder>();
  readonly #options: LoadDriverOptions;
  readonly #run = randomBytes(4).toString('hex');
  /** Checkouts whose outcome is unknown: the next checkouts send them again before any new one. */
  readonly #unsettled: Array<{ key: string; args: Record<string, unknown>; token: string }> = [];
  #sequence = 0;
  #running = false;
  #paused = false;
  #workers: Promise<void>[] = [];
  #inFlight = 0;

  constructor(options: LoadDriverOptions) {
    if (options.customers.length === 0 || options.skus.length === 0) throw new Error('the load needs at least one customer and one SKU');
    if (options.tokens.length === 0) throw new Error('the load needs at least one worker token');
    this.#options = Object.freeze({ ...options });
  }

  /** Starts the workers. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#workers = this.#options.tokens.map((token) => this.#work(token));
  }

  /** Stops starting calls and waits for those in flight (for the invariant checks). */
  async pause(): Promise<void> {
    this.#paused = true;
    while (this.#inFlight > 0) await sleep(20);
  }

  /** Starts calling again after {@link pause}. */
  resume(): void {
    this.#paused = false;
  }

  /** Stops the workers and waits for them. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#workers);
  }

  /**
   * While paused: sends every checkout whose answer never came again with its key until each has an answer or
   * `deadline` (epoch ms) passes, so that the invariants judge settled outcomes. Returns the keys still unanswered.
   */
  async settle(deadline: number): Promise<readonly string[]> {
    while (this.#unsettled.length > 0 && Date.now() < deadline) {
      const before = this.#unsettled.length;
      const ok = await this.#checkout(this.#options.tokens[0] as string);
      if (!ok || this.#unsettled.length >= before) await sleep(250);
    }
    return this.unsettledKeys;
  }

  /** The prefix of every idempotency key this load uses (`faults-<random>-`). */
  get keyPrefix(): string {
    return `faults-${this.#run}-`;
  }

  /** Checkouts whose answer never came (retried with the same key until one does). */
  get unsettledKeys(): readonly string[] {
    return this.#unsettled.map((entry) => entry.key);
  }

  async #work(token: string): Promise<void> {
    while (this.#running) {
      if (this.#paused) {
        await sleep(20);
        continue;
      }
      this.#inFlight += 1;
      let failed = false;
      try {
        const checkout = Math.random() < (this.#options.checkoutShare ?? 0.3);
        failed = !(checkout ? await this.#checkout(token) : await this.#read(token));
      } finally {
        this.#inFlight -= 1;
      }
      // Pacing only: a stack that refuses at once must not be hammered in a tight loop.
      if (failed) await sleep(50);
    }
  }

  async #read(token: string): Promise<boolean> {
    const { customers, skus } = this.#options;
    const acked = [...this.acknowledged.values()];
    const order = acked.length > 0 ? acked[Math.floor(Math.random() * acked.length)] : undefined;
    const pick = Math.floor(Math.random() * 3);
    const [tool, args] =
      pick === 0
        ? ['customer_get', { id: customers[Math.floor(Math.random() * customers.length)] }]
        : pick === 1 || order === undefined
          ? ['product_get', { sku: skus[Math.floor(Math.random() * skus.length)] }]
          : ['order_get', { order_id: order.orderId }];
    const startedAt = Date.now();
    const outcome = await callTool(this.#options.url, token, tool, args, READ_TIMEOUT_MS);
    this.#record('read', tool, startedAt, outcome, false);
    return outcome.ok;
  }

  /** One checkout: the oldest unanswered one again with its own caller's token, else a new one as `token`. */
  async #checkout(token: string): Promise<boolean> {
    const retry = this.#unsettled.shift();
    const caller = retry?.token ?? token;
    const key = retry?.key ?? `faults-${this.#run}-${++this.#sequence}`;
    const { customers, skus } = this.#options;
    const args = retry?.args ?? {
      customer_id: customers[this.#sequence % customers.length],
      lines: [{ sku: skus[this.#sequence % skus.length], quantity: 1 }],
      payment_method: 'pm_card_visa',
      idempotency_key: key,
      wait_ms: CHECKOUT_WAIT_MS,
    };
    const startedAt = Date.now();
    const outcome = await callTool(this.#options.url, caller, 'order_place', args, CHECKOUT_TIMEOUT_MS);
    const order = outcome.ok ? (outcome.structured?.['order'] as { id?: string; status?: string; customer_id?: string } | undefined) : undefined;
    if (order?.id !== undefined && order.status !== undefined) {
      this.acknowledged.set(key, {
        idempotencyKey: key,
        orderId: order.id,
        status: order.status,
        customerId: order.customer_id ?? String(args['customer_id']),
      });
    } else if (isUnknownOutcome(outcome)) {
      this.#unsettled.push({ key, args, token: caller });
    }
    this.#record('checkout', 'order_place', startedAt, outcome, order?.status === 'confirmed');
    return outcome.ok;
  }

  #record(kind: CallRecord['kind'], tool: string, startedAt: number, outcome: CallOutcome, confirmed: boolean): void {
    this.records.push({ kind, tool, startedAt, endedAt: Date.now(), ok: outcome.ok, code: outcome.code, confirmed });
  }
}

/** No answer, a transport failure or a retryable error: the order may or may not exist, so ask again with the key. */
function isUnknownOutcome(outcome: CallOutcome): boolean {
  if (outcome.ok) return false;
  const retryable = (outcome.structured?.['error'] as { retryable?: unknown } | undefined)?.retryable === true;
  return retryable || outcome.code === 'NO_ANSWER' || outcome.code === 'RPC_-32001' || (outcome.code?.startsWith('HTTP_5') ?? false);
}
