import { createHash } from 'node:crypto';
import type { OperationKind } from '../store/payment-database.ts';

/**
 * The idempotency key sent to the provider for one operation: derived from (principal, kind, our key, request
 * hash), so a retry — by the caller, or by the reconciler after a crash — reaches the same provider request and
 * the provider acts at most once; a different principal or different arguments never collide.
 */
export function providerKeyOf(principalId: string, kind: OperationKind, idempotencyKey: string, requestHash: string): string {
  const hash = createHash('sha256').update([principalId, kind, idempotencyKey, requestHash].join('\u0000')).digest('hex');
  return `mcpfed-${kind}-${hash.slice(0, 40)}`;
}
