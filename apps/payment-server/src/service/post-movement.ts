import type { Kysely } from 'kysely';
import { LedgerStore } from '../store/ledger-store.ts';
import type { OperationRow } from '../store/operation-store.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import type { PaymentRow } from '../store/payment-store.ts';
import { postingsOf } from './ledger-postings.ts';
import type { Movement } from './ledger-postings.ts';
import type { IdGenerator } from './new-id.ts';

/** Posts the balanced ledger transaction of an operation's movement, in the transaction that records it. */
export async function postMovement(
  trx: Kysely<PaymentDatabase>,
  ids: IdGenerator,
  op: OperationRow,
  payment: PaymentRow,
  movement: Movement,
  signal: AbortSignal,
): Promise<void> {
  const { kind, postings } = postingsOf(movement);
  await new LedgerStore(trx, signal).post({
    id: ids('ltx'),
    paymentId: payment.id,
    kind,
    currency: payment.currency,
    operationId: op.id,
    refundId: op.refund_id,
    postings,
  });
}
