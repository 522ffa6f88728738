import { randomFillSync } from 'node:crypto';

/** Crockford base32, lowercase: digits and letters without i, l, o, u, in ascending ASCII order. */
export const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A process-wide buffer of random bytes refilled in blocks, so ids on the hot path (request ids,
 * trace and span ids) cost a slice of an existing buffer instead of one `randomBytes` call each.
 */
export class RandomPool {
  readonly #bytes: Buffer;
  #offset: number;

  /** @param size bytes fetched from the CSPRNG per refill (default 4096). */
  constructor(size = 4096) {
    this.#bytes = Buffer.allocUnsafeSlow(size);
    this.#offset = size;
  }

  /** Lowercase hex of `byteCount` fresh random bytes that are not all zero (W3C ids forbid all-zero). */
  nonZeroHex(byteCount: number): string {
    for (;;) {
      const start = this.#take(byteCount);
      const end = start + byteCount;
      for (let i = start; i < end; i++) {
        if (this.#bytes[i] !== 0) return this.#bytes.toString('hex', start, end);
      }
    }
  }

  /** `charCount` random Crockford base32 characters (5 random bits each). */
  base32(charCount: number): string {
    const start = this.#take(charCount);
    let out = '';
    for (let i = start; i < start + charCount; i++) out += BASE32[this.#bytes[i]! & 31];
    return out;
  }

  #take(byteCount: number): number {
    if (this.#offset + byteCount > this.#bytes.length) {
      randomFillSync(this.#bytes);
      this.#offset = 0;
    }
    const start = this.#offset;
    this.#offset += byteCount;
    return start;
  }
}

/** The pool shared by all id generators of this library. */
export const randomPool = new RandomPool();
