import { createHash } from 'node:crypto';
import type { OperationRecord } from '../store/operation-store.ts';

/** Keys of the upstream calls of one operation: bound to the order, the caller and the caller's key, within 200 characters. */
export function operationKey(kind: string, op: Pick<OperationRecord, 'order_id' | 'principal_id' | 'idempotency_key'>): string {
  return `order:${op.order_id}:${kind}:${createHash('sha256').update(`${op.principal_id}\n${op.idempotency_key}`).digest('hex').slice(0, 32)}`;
}
