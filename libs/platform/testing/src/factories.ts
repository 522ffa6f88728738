import { randomBytes, randomUUID } from 'node:crypto';

/** A unique id for test data: `uniqueId('cus')` -> `cus_3f9c0a1b2d4e5f60`. */
export function uniqueId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}

/** A fresh idempotency key that satisfies `idempotencyKeySchema` (8-200 characters): `idem-<uuid>`. */
export function idempotencyKey(): string {
  return `idem-${randomUUID()}`;
}

/**
 * A Redis key prefix no other test uses: `test:<label>:<random>:`. Put every key (and BullMQ's `prefix`)
 * under it; `createTestRedis().cleanup()` deletes everything under its prefix.
 */
export function randomKeyPrefix(label: string): string {
  if (!/^[A-Za-z0-9_.-]{1,40}$/.test(label)) {
    throw new TypeError('randomKeyPrefix: label must be 1-40 letters, digits, "_", "." or "-".');
  }
  return `test:${label}:${randomBytes(6).toString('hex')}:`;
}
