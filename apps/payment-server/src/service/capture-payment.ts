import { sql } from 'kysely';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import type { paymentCapture } from '@mcpfed/contract-payment';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { PaymentStore } from '../store/payment-store.ts';
import type { MovementDeps } from './movement-deps.ts';
import type { OperationSteps } from './operation-steps.ts';
import { lockPayment, requireAuthorized, requireCurrency, requireIdle, requireOwnedBy } from './payment-preconditions.ts';
import { paymentView } from './payment-view.ts';
import { postMovement } from './post-movement.ts';
import { asCharge, providerChargeOf } from './provider-results.ts';
import { requireReachablePayment } from './reachable-payment.ts';

/** payment_capture: all of the authorization, or part of it (the rest of the hold is released). */
export async function capturePayment(
  deps: Pick<MovementDeps, 'db' | 'runner'>,
  input: ContractInput<typeof paymentCapture>,
  ctx: Pick<RequestContext, 'principal' | 'signal'>,
): Promise<ContractOutput<typeof paymentCapture>> {
  await requireReachablePayment(deps.db, input.payment_id, ctx);
  const { idempotency_key, ...args } = input;
  const response = await deps.runner.run(
    {
      kind: 'capture',
      idempotencyKey: idempotency_key,
      args,
      paymentId: input.payment_id,
      begin: async (trx, op) => {
        const payments = new PaymentStore(trx, ctx.signal);
        const payment = await lockPayment(payments, op.payment_id);
        if (input.currency !== undefined) requireCurrency(payment, input.currency);
        requireAuthorized(payment, 'captured');
        requireIdle(payment);
        const authorized = Number(payment.amount_authorized);
        const amount = input.amount ?? authorized;
        if (amount > authorized) {
          throw new AppError(
            'PRECONDITION_FAILED',
            `Cannot capture ${amount}: payment ${payment.id} authorized only ${authorized} ${payment.currency} (minor units).`,
            {
              details: { amount_authorized: authorized, requested: amount, currency: payment.currency },
            },
          );
        }
        await payments.setBusy(payment.id, op.id);
        return { amount, currency: payment.currency, params: { provider_charge_id: payment.provider_charge_id } };
      },
    },
    ctx,
  );
  return response as ContractOutput<typeof paymentCapture>;
}

/** Around the provider call: the payment is marked busy, then recorded captured with its ledger transaction. */
export function captureSteps(deps: Pick<MovementDeps, 'provider' | 'ids'>): OperationSteps {
  const { provider } = deps;
  return {
    call: (op, signal) => provider.capture({ idempotencyKey: op.provider_key, chargeId: providerChargeOf(op), amount: Number(op.amount) }, signal),
    record: async (trx, op, result, signal) => {
      const charge = asCharge(result);
      const payments = new PaymentStore(trx, signal);
      const payment = await lockPayment(payments, op.payment_id);
      requireOwnedBy(payment, op);
      const updated = await payments.update(payment, {
        status: 'captured',
        amount_captured: charge.amountCaptured,
        captured_at: sql<Date>`now()`,
        expires_at: null,
        busy_operation_id: null,
      });
      await postMovement(
        trx,
        deps.ids,
        op,
        updated,
        { kind: 'capture', authorized: Number(payment.amount_authorized), captured: charge.amountCaptured },
        signal,
      );
      return { payment: paymentView(updated), replayed: false };
    },
    release: async (trx, op, _outcome, _failure, signal) => new PaymentStore(trx, signal).clearBusy(op.payment_id, op.id),
  };
}
