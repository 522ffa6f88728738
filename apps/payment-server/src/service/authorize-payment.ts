import { customerReachOf, requireCustomer } from '@mcpfed/auth';
import { sql } from 'kysely';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import type { paymentAuthorize } from '@mcpfed/contract-payment';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { PaymentStore } from '../store/payment-store.ts';
import { releaseDaily, reserveDaily } from './daily-limit-reservation.ts';
import { perCallLimitExceeded } from './limit-exceeded.ts';
import type { MovementDeps } from './movement-deps.ts';
import type { OperationSteps } from './operation-runner.ts';
import { paymentView } from './payment-view.ts';
import { postMovement } from './post-movement.ts';
import { asCharge } from './provider-results.ts';

/**
 * payment_authorize. The customer named must be one the caller reaches (FORBIDDEN otherwise); an attached method
 * must belong to that customer (NOT_FOUND otherwise), so a caller acting for one customer never charges another's
 * saved card. The amount counts against the caller's daily authorization limit.
 */
export async function authorizePayment(
  deps: Pick<MovementDeps, 'limits' | 'methods' | 'runner' | 'ids'>,
  input: ContractInput<typeof paymentAuthorize>,
  ctx: Pick<RequestContext, 'principal' | 'signal'>,
): Promise<ContractOutput<typeof paymentAuthorize>> {
  requireCustomer(customerReachOf(ctx.principal), input.customer_id);
  const { limits } = deps;
  if (input.amount > limits.maxAuthorizationMinor) throw perCallLimitExceeded('authorization', input.amount, limits.maxAuthorizationMinor, input.currency);
  const method = await deps.methods.resolveForCharge(input.customer_id, input.payment_method, ctx);
  const { idempotency_key, ...args } = input;
  const response = await deps.runner.run(
    {
      kind: 'authorize',
      idempotencyKey: idempotency_key,
      args,
      paymentId: deps.ids('pay'),
      amount: input.amount,
      currency: input.currency,
      params: {
        order_ref: input.order_ref,
        customer_id: input.customer_id,
        payment_method_id: method.id,
        provider_method_ref: method.provider_method_ref,
        brand: method.brand,
        last4: method.last4,
      },
      begin: (trx, op) => reserveDaily(trx, op, 'authorize', limits.dailyAuthorizationLimitMinor, ctx.signal),
    },
    ctx,
  );
  return response as ContractOutput<typeof paymentAuthorize>;
}

/** Around the provider call: hold the amount, then record the payment and its ledger transaction, then schedule its expiry. */
export function authorizeSteps(deps: Pick<MovementDeps, 'provider' | 'ids' | 'authorizationTtlMs' | 'expiry'>): OperationSteps {
  const { provider } = deps;
  return {
    call: (op, signal) => {
      const params = op.params as { order_ref: string; customer_id: string; provider_method_ref: string };
      return provider.authorize(
        {
          idempotencyKey: op.provider_key,
          paymentMethodRef: params.provider_method_ref,
          amount: Number(op.amount),
          currency: op.currency as string,
          metadata: { payment_id: op.payment_id, order_ref: params.order_ref, customer_id: params.customer_id },
        },
        signal,
      );
    },
    record: async (trx, op, result, signal) => {
      const charge = asCharge(result);
      const params = op.params as { order_ref: string; customer_id: string; payment_method_id: string; brand: string; last4: string };
      const payment = await new PaymentStore(trx, signal).insert(
        {
          id: op.payment_id,
          order_ref: params.order_ref,
          customer_id: params.customer_id,
          payment_method_id: params.payment_method_id,
          currency: charge.currency,
          status: 'authorized',
          amount_authorized: charge.amount,
          provider: provider.name,
          provider_charge_id: charge.id,
          created_by: op.principal_id,
          expires_at: sql<Date>`now() + make_interval(secs => ${deps.authorizationTtlMs / 1000})`,
        },
        { brand: params.brand, last4: params.last4 },
      );
      await postMovement(trx, deps.ids, op, payment, { kind: 'authorization', authorized: charge.amount }, signal);
      return { payment: paymentView(payment), replayed: false };
    },
    release: (trx, op, _outcome, _failure, signal) => releaseDaily(trx, op, 'authorize', signal),
    afterRecord: async (op, response) => {
      const expiresAt = (response['payment'] as { expires_at: string | null }).expires_at;
      if (deps.expiry !== undefined && expiresAt !== null) await deps.expiry.schedule(op.payment_id, new Date(expiresAt));
    },
  };
}
