import type { Kysely } from 'kysely';
import { LimitUsageStore } from '../store/limit-usage-store.ts';
import type { LimitedKind } from '../store/limit-usage-store.ts';
import type { OperationRow } from '../store/operation-store.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { dailyLimitExceeded } from './limit-exceeded.ts';

/**
 * Counts the operation's amount against its limit key's 24-hour limit (in the bucket the claim recorded), or
 * refuses it (LIMIT_EXCEEDED). Runs in the operation's first transaction.
 */
export async function reserveDaily(trx: Kysely<PaymentDatabase>, op: OperationRow, kind: LimitedKind, limit: number, signal: AbortSignal): Promise<void> {
  const amount = Number(op.amount);
  const currency = op.currency as string;
  const { used, reserved } = await new LimitUsageStore(trx, signal).reserve({ limitKey: limitKeyOfOperation(op), kind, currency }, amount, limit);
  if (!reserved) throw dailyLimitExceeded(kind, amount, used, limit, currency);
}

/** Gives a failed or abandoned operation's amount back to the total it was taken from. */
export async function releaseDaily(trx: Kysely<PaymentDatabase>, op: OperationRow, kind: LimitedKind, signal: AbortSignal): Promise<void> {
  if (op.limit_bucket === null) return;
  await new LimitUsageStore(trx, signal).release(
    { limitKey: limitKeyOfOperation(op), kind, currency: op.currency as string },
    op.limit_bucket,
    Number(op.amount),
  );
}

// Operations claimed before migration 0006 have no limit_key: they were counted under their principal.
function limitKeyOfOperation(op: OperationRow): string {
  return op.limit_key ?? op.principal_id;
}
