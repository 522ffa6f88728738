import { paymentLimitsResource } from '@mcpfed/contract-payment';
import { resourceBinder } from '@mcpfed/mcp-runtime';
import type { ResourceBinding } from '@mcpfed/mcp-runtime';
import type { PaymentPolicy } from '../service/payment-limits.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';

/** The policy as the resource's JSON (also used by the refund review prompt). */
export function policyDocument(policy: PaymentPolicy) {
  const { limits } = policy;
  return {
    units: 'Integer minor units of the operation currency; every limit applies per currency.',
    window:
      'Daily limits are per caller over a rolling 24 hours (pending and succeeded operations count): a service token acting for someone (act.sub) counts per service and that caller, any other token under its own subject.',
    authorization: {
      max_per_call: limits.maxAuthorizationMinor,
      daily_limit: limits.dailyAuthorizationLimitMinor,
      expires_after_seconds: Math.round(policy.authorizationTtlMs / 1000),
      on_expiry: 'An uncaptured authorization is voided automatically (void_reason "expired").',
    },
    refund: {
      max_per_call: limits.maxRefundMinor,
      daily_limit: limits.dailyRefundLimitMinor,
      confirmation_threshold: limits.refundConfirmThresholdMinor,
      approval_valid_seconds: Math.round(policy.approvalTtlMs / 1000),
      confirmation:
        'A refund above confirmation_threshold asked for a person (a user token, or a service acting for one) waits for that person: payment_refund answers approval { approval_url, ... } and refunds nothing; the user approves or declines on that page, then the same call with the same idempotency_key refunds (once) or is refused.',
    },
  };
}

/** `policy://payment/limits`: the limits in force, as JSON. */
export function paymentLimitsResourceBinding(policy: PaymentPolicy): ResourceBinding<PaymentDatabase> {
  const text = JSON.stringify(policyDocument(policy), null, 2);
  return resourceBinder<PaymentDatabase>()(paymentLimitsResource, async (uri) => [{ uri, mimeType: 'application/json', text }]);
}
