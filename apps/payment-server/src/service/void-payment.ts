import { customerFilterFor, customerReachOf } from '@mcpfed/auth';
import { sql } from 'kysely';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import type { paymentVoid } from '@mcpfed/contract-payment';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { PaymentStore } from '../store/payment-store.ts';
import { authorizationByKey } from './authorization-by-key.ts';
import type { MovementDeps } from './movement-deps.ts';
import type { OperationSteps } from './operation-steps.ts';
import { lockPayment, requireAuthorized, requireIdle, requireOwnedBy } from './payment-preconditions.ts';
import { paymentView } from './payment-view.ts';
import { postMovement } from './post-movement.ts';
import { providerChargeOf } from './provider-results.ts';
import { requireReachablePayment } from './reachable-payment.ts';

/** Why a payment is voided: asked for (payment_void), or its authorization expired. */
export type VoidReason = 'requested' | 'expired';

/** What an expiry attempt found. */
export type ExpiryOutcome = 'voided' | 'not_authorized' | 'not_due' | 'busy';

// A delayed job may fire a little before the database clock says the authorization expired.
const EXPIRY_EARLY_TOLERANCE_MS = 5000;

/** payment_void, of a payment id or of what the caller's payment_authorize with `authorization_key` authorized. */
export async function voidPayment(
  deps: Pick<MovementDeps, 'db' | 'runner' | 'ids'>,
  input: ContractInput<typeof paymentVoid>,
  ctx: Pick<RequestContext, 'principal' | 'signal'>,
): Promise<ContractOutput<typeof paymentVoid>> {
  customerFilterFor(customerReachOf(ctx.principal)); // a caller who reaches no customer is refused before a key is looked up or barred
  const { idempotency_key, ...args } = input;
  // Keys are per principal: authorization_key finds only what this same principal authorized with it.
  const paymentId = input.payment_id ?? (await authorizationByKey(deps, input.authorization_key as string, ctx));
  await requireReachablePayment(deps.db, paymentId, ctx);
  return (await runVoid(deps, paymentId, idempotency_key, args, 'requested', ctx)) as ContractOutput<typeof paymentVoid>;
}

/**
 * Runs the void operation of a payment. An `expired` void leaves alone (PRECONDITION_FAILED with
 * `details.expiry`) a payment that is no longer authorized, not due yet, or busy with a capture or void.
 */
export function runVoid(
  deps: Pick<MovementDeps, 'runner'>,
  paymentId: string,
  idempotencyKey: string,
  args: Record<string, unknown>,
  reason: VoidReason,
  ctx: Pick<RequestContext, 'principal' | 'signal'>,
): Promise<Record<string, unknown>> {
  return deps.runner.run(
    {
      kind: 'void',
      idempotencyKey,
      args,
      paymentId,
      begin: async (trx, op) => {
        const payments = new PaymentStore(trx, ctx.signal);
        const payment = await lockPayment(payments, op.payment_id);
        if (reason === 'expired') {
          if (payment.status !== 'authorized') throw expirySkipped('not_authorized');
          if ((payment.expires_at?.getTime() ?? 0) > Date.now() + EXPIRY_EARLY_TOLERANCE_MS) throw expirySkipped('not_due');
          if (payment.busy_operation_id !== null) throw expirySkipped('busy');
        }
        requireAuthorized(payment, 'voided');
        requireIdle(payment);
        await payments.setBusy(payment.id, op.id);
        return {
          amount: Number(payment.amount_authorized),
          currency: payment.currency,
          params: { provider_charge_id: payment.provider_charge_id, void_reason: reason },
        };
      },
    },
    ctx,
  );
}

/** Around the provider call: the payment is marked busy, then recorded voided (an expiry as such) with its ledger transaction. */
export function voidSteps(deps: Pick<MovementDeps, 'provider' | 'ids'>): OperationSteps {
  const { provider } = deps;
  return {
    call: (op, signal) => provider.void({ idempotencyKey: op.provider_key, chargeId: providerChargeOf(op) }, signal),
    record: async (trx, op, _result, signal) => {
      const reason = (op.params as { void_reason: VoidReason }).void_reason;
      const payments = new PaymentStore(trx, signal);
      const payment = await lockPayment(payments, op.payment_id);
      requireOwnedBy(payment, op);
      const updated = await payments.update(payment, {
        status: 'voided',
        void_reason: reason,
        voided_at: sql<Date>`now()`,
        expires_at: null,
        busy_operation_id: null,
      });
      await postMovement(trx, deps.ids, op, updated, { kind: reason === 'expired' ? 'expiry' : 'void', authorized: Number(payment.amount_authorized) }, signal);
      return { payment: paymentView(updated), replayed: false };
    },
    release: async (trx, op, _outcome, _failure, signal) => new PaymentStore(trx, signal).clearBusy(op.payment_id, op.id),
  };
}

function expirySkipped(reason: Exclude<ExpiryOutcome, 'voided'>): AppError {
  return new AppError('PRECONDITION_FAILED', `authorization not expired-voidable: ${reason}`, { details: { expiry: reason } });
}
