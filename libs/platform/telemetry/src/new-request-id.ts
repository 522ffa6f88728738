import { BASE32, randomPool } from './random-pool.ts';

const TIME_CHARS = 10;
const RANDOM_CHARS = 10;

let cachedMs = -1;
let cachedPrefix = '';

/**
 * A new request id: 20 lowercase Crockford base32 characters, the first 10 the current time in
 * milliseconds (48 bits, ULID layout) and the last 10 random (50 bits). Ids sort by creation time
 * (to the millisecond) and are safe to compare as strings; generating one takes a slice of a pooled
 * random buffer, no syscall.
 */
export function newRequestId(): string {
  const now = Date.now();
  if (now !== cachedMs) {
    cachedMs = now;
    cachedPrefix = encodeTime(now);
  }
  return cachedPrefix + randomPool.base32(RANDOM_CHARS);
}

function encodeTime(ms: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < TIME_CHARS; i++) {
    out = BASE32[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}
