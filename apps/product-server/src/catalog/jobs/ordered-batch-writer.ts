/** One batch handed to an {@link OrderedBatchWriter}. */
export interface OrderedBatch {
  /** The SKUs it writes: batches sharing one are never written side by side (the later one must see the earlier). */
  readonly skus: ReadonlySet<string>;
  /**
   * Writes the batch in a transaction of its own and commits it, but only after `previous` (the commit of the
   * batch handed in before it) resolved; when `previous` rejects it must roll back and reject.
   */
  readonly write: (previous: Promise<void>) => Promise<void>;
}

/**
 * Writes import batches on up to `depth` connections at once and commits them strictly in the order they were
 * handed in: each batch does its heavy work (parsing search vectors, index entries) while the batches before it
 * are still being written, then waits for the previous commit before it adds its progress and commits. So the
 * committed batches are always a prefix of the file, and `records_done` stays an exact resume point.
 *
 * After a failure no new batch starts; {@link drain} and {@link submit} throw the first error, always after every
 * batch in flight has ended (they roll back, since each waits for the one before it).
 */
export class OrderedBatchWriter {
  readonly #depth: number;
  #tail: Promise<void> = Promise.resolve();
  readonly #inFlight: Array<{ done: Promise<void>; skus: ReadonlySet<string> }> = [];
  #failed = false;
  #failure: unknown;

  constructor(depth: number) {
    if (!Number.isInteger(depth) || depth < 1) throw new TypeError('OrderedBatchWriter: depth must be a positive whole number');
    this.#depth = depth;
  }

  /** Starts writing a batch once there is room (and no batch in flight shares a SKU with it). */
  async submit(batch: OrderedBatch): Promise<void> {
    if (this.#failed || this.#inFlight.some((other) => sharesAny(other.skus, batch.skus))) await this.drain();
    while (this.#inFlight.length >= this.#depth) await this.#settleOldest();
    if (this.#failed) await this.drain();
    const previous = this.#tail;
    const done = batch.write(previous);
    const tracked = done.catch((error: unknown) => {
      this.#fail(error);
      throw error;
    });
    // Awaited later through #inFlight; this handler only keeps a rejection from counting as unhandled meanwhile.
    tracked.catch(() => undefined);
    this.#tail = tracked;
    this.#inFlight.push({ done: tracked, skus: batch.skus });
  }

  /** Waits for every batch in flight; throws the first failure. */
  async drain(): Promise<void> {
    while (this.#inFlight.length > 0) await this.#settleOldest();
    this.#throwIfFailed();
  }

  async #settleOldest(): Promise<void> {
    const oldest = this.#inFlight.shift();
    if (oldest === undefined) return;
    try {
      await oldest.done;
    } catch {
      // Recorded by #fail; the other batches still in flight are awaited before it is thrown.
    }
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#failure = error;
  }

  #throwIfFailed(): void {
    if (this.#failed) throw this.#failure;
  }
}

function sharesAny(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const sku of small) if (large.has(sku)) return true;
  return false;
}
