import { customerReachOf, requireCustomer } from '@mcpfed/auth';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import type { paymentAuthorize } from '@mcpfed/contract-payment';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { AuthorizationStore } from '../store/authorization-store.ts';
import { releaseDaily } from './daily-limit-reservation.ts';
import { postingsOf } from './ledger-postings.ts';
import { dailyLimitExceeded, perCallLimitExceeded } from './limit-exceeded.ts';
import type { MovementDeps } from './movement-deps.ts';
import type { OperationSteps } from './operation-steps.ts';
import { paymentView } from './payment-view.ts';
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
      // Claim and daily-limit reservation in one statement (no BEGIN/COMMIT round trips).
      claimAtOnce: async (db, op, signal) => {
        const claim = await new AuthorizationStore(db, signal).claim(
          { ...op, amount: input.amount, currency: input.currency },
          limits.dailyAuthorizationLimitMinor,
        );
        if ('exceeded' in claim) throw dailyLimitExceeded('authorize', input.amount, claim.used, limits.dailyAuthorizationLimitMinor, input.currency);
        return 'claimed' in claim ? claim.claimed : undefined;
      },
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
    // Payment, ledger transaction and the operation's completion in one statement (the SQL function of migration 0009).
    recordAtOnce: (db, op, result, signal) => {
      const charge = asCharge(result);
      const params = op.params as { order_ref: string; customer_id: string; payment_method_id: string; brand: string; last4: string };
      // The database fills in the times it makes (created_at, updated_at, expires_at) when it stores the response.
      const unset = new Date(0);
      const payment = paymentView({
        id: op.payment_id,
        order_ref: params.order_ref,
        customer_id: params.customer_id,
        payment_method_id: params.payment_method_id,
        currency: charge.currency,
        status: 'authorized',
        void_reason: null,
        amount_authorized: String(charge.amount),
        amount_captured: '0',
        amount_refunded: '0',
        amount_refund_pending: '0',
        provider: provider.name,
        provider_charge_id: charge.id,
        busy_operation_id: null,
        created_by: op.principal_id,
        created_at: unset,
        captured_at: null,
        voided_at: null,
        expires_at: unset,
        updated_at: unset,
        method_brand: params.brand,
        method_last4: params.last4,
      });
      return new AuthorizationStore(db, signal).record({
        operationId: op.id,
        paymentId: op.payment_id,
        orderRef: params.order_ref,
        customerId: params.customer_id,
        paymentMethodId: params.payment_method_id,
        currency: charge.currency,
        amount: charge.amount,
        provider: provider.name,
        providerChargeId: charge.id,
        createdBy: op.principal_id,
        ttlMs: deps.authorizationTtlMs,
        ledgerTransactionId: deps.ids('ltx'),
        postings: postingsOf({ kind: 'authorization', authorized: charge.amount }).postings,
        response: { payment, replayed: false },
      });
    },
    release: (trx, op, _outcome, _failure, signal) => releaseDaily(trx, op, 'authorize', signal),
    afterRecord: async (op, response) => {
      const expiresAt = (response['payment'] as { expires_at: string | null }).expires_at;
      if (deps.expiry !== undefined && expiresAt !== null) await deps.expiry.schedule(op.payment_id, new Date(expiresAt));
    },
  };
}
