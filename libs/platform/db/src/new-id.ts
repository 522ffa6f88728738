import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

let lastTime = -1;
let lastRandom: Uint8Array = new Uint8Array(10);

/**
 * A new entity id `<prefix>_<26 lowercase Crockford base32 characters>` (e.g. `cus_…`, `pay_…`): 48 bits of milliseconds then 80 random bits
 * (the ULID layout). Within one millisecond the random part is incremented, so ids made by this process sort in
 * creation order — a timeline can order events written in one transaction by id.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  if (now <= lastTime) {
    lastRandom = increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = new Uint8Array(randomBytes(10));
  }
  return formatId(prefix, lastTime, lastRandom);
}

/** Formats an id from a millisecond time and 10 random bytes (also used by the deterministic seed). */
export function formatId(prefix: string, time: number, random: Uint8Array): string {
  let out = '';
  let t = time;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  // 80 random bits are exactly 16 base32 characters.
  let bits = 0n;
  for (const byte of random.subarray(0, 10)) bits = (bits << 8n) | BigInt(byte);
  let tail = '';
  for (let i = 0; i < 16; i++) {
    tail = ALPHABET[Number(bits & 31n)] + tail;
    bits >>= 5n;
  }
  return `${prefix}_${out}${tail}`;
}

function increment(bytes: Uint8Array): Uint8Array {
  const next = new Uint8Array(bytes);
  for (let i = next.length - 1; i >= 0; i--) {
    const value = next[i] ?? 0;
    if (value < 255) {
      next[i] = value + 1;
      return next;
    }
    next[i] = 0;
  }
  // 2^80 ids in one millisecond cannot happen; wrapping keeps the function total.
  return next;
}
