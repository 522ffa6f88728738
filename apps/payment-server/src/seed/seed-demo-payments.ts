import type { Principal } from '@mcpfed/auth';
import { CUSTOMER_ANY_SCOPE } from '@mcpfed/auth';
import { AppError } from '@mcpfed/errors';
import type { Currency, RefundReason } from '@mcpfed/contract-payment';
import { systemPrincipal } from '@mcpfed/mcp-runtime';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { PaymentDomain } from '../service/payment-domain.ts';

/**
 * Principal of the demo seed's operations, `system:seed` (its idempotency keys make a second run a replay); it
 * reaches every customer, as the seed's payments belong to several.
 */
export const SEED_PRINCIPAL: Principal = Object.freeze({ ...systemPrincipal('seed'), scopes: new Set([CUSTOMER_ANY_SCOPE]) });

/**
 * Customers of the customer server's demo seed (its first active customers with seed 20250101), so the demo
 * payments belong to customers that exist in the dev stack.
 */
export const DEMO_CUSTOMERS = ['cus_01j9jx2rc3re7ejd42xbz421kr', 'cus_01j0kr8r34wszjwnhjsza938b9', 'cus_01hc9e2kd0pkn1vnzhvj26434b'] as const;

type Step = { capture: number | 'all' } | { refund: number; reason: RefundReason } | { void: true };

interface DemoPayment {
  order: string;
  customer: (typeof DEMO_CUSTOMERS)[number];
  token: string;
  amount: number;
  currency: Currency;
  steps: Step[];
}

const [MATEO, KOFI, SVEN] = DEMO_CUSTOMERS;

/** The demo payments, in order; every amount in integer minor units. */
const DEMO_PAYMENTS: readonly DemoPayment[] = [
  { order: 'demo-order-0001', customer: MATEO, token: 'pm_card_visa', amount: 4999, currency: 'EUR', steps: [{ capture: 'all' }] },
  {
    order: 'demo-order-0002',
    customer: MATEO,
    token: 'pm_card_mastercard',
    amount: 12999,
    currency: 'EUR',
    steps: [{ capture: 'all' }, { refund: 2000, reason: 'product_unacceptable' }],
  },
  { order: 'demo-order-0003', customer: KOFI, token: 'pm_card_visa', amount: 2500, currency: 'EUR', steps: [] },
  { order: 'demo-order-0004', customer: SVEN, token: 'pm_card_visa', amount: 8900, currency: 'EUR', steps: [{ void: true }] },
  {
    order: 'demo-order-0005',
    customer: KOFI,
    token: 'pm_card_visa',
    amount: 15000,
    currency: 'USD',
    steps: [{ capture: 'all' }, { refund: 15000, reason: 'order_canceled' }],
  },
  { order: 'demo-order-0006', customer: SVEN, token: 'pm_card_visa', amount: 7450, currency: 'EUR', steps: [{ capture: 7000 }] },
];

/** A declined attempt, so the demo also shows a failed operation. */
const DECLINED: DemoPayment = { order: 'demo-order-0007', customer: SVEN, token: 'pm_card_declined', amount: 3000, currency: 'EUR', steps: [] };

/** What a seed run did. */
export interface PaymentSeedResult {
  payments: number;
  /** True when the data was already there (every call replayed). */
  skipped: boolean;
}

/**
 * Inserts the demo payment methods and payments through the real services and the sandbox provider, so the
 * ledger, the local records and the provider's records agree. Every call has a fixed idempotency key: a second
 * run replays and changes nothing. Whatever context runs it, the calls are {@link SEED_PRINCIPAL}'s.
 */
export async function seedDemoPayments(domain: PaymentDomain, ctx: Pick<RequestContext, 'signal'>): Promise<PaymentSeedResult> {
  const caller = { principal: SEED_PRINCIPAL, signal: ctx.signal };
  const { payments } = domain;
  let replays = 0;
  let calls = 0;
  const count = (result: { replayed: boolean }): void => {
    calls += 1;
    if (result.replayed) replays += 1;
  };
  for (const [index, demo] of DEMO_PAYMENTS.entries()) {
    const key = `seed-payment-${String(index + 1).padStart(4, '0')}`;
    const authorized = await payments.authorize(
      {
        order_ref: demo.order,
        customer_id: demo.customer,
        amount: demo.amount,
        currency: demo.currency,
        payment_method: demo.token,
        idempotency_key: `${key}-authorize`,
      },
      caller,
    );
    count(authorized);
    const paymentId = authorized.payment.id;
    for (const [stepIndex, step] of demo.steps.entries()) {
      const stepKey = `${key}-step-${stepIndex + 1}`;
      if ('capture' in step) {
        count(
          await payments.capture(
            step.capture === 'all'
              ? { payment_id: paymentId, idempotency_key: stepKey }
              : { payment_id: paymentId, amount: step.capture, currency: demo.currency, idempotency_key: stepKey },
            caller,
          ),
        );
      } else if ('refund' in step) {
        count(
          await payments.refund(
            { payment_id: paymentId, amount: step.refund, currency: demo.currency, reason: step.reason, idempotency_key: stepKey, dry_run: false },
            caller,
          ),
        );
      } else {
        count(await payments.void({ payment_id: paymentId, idempotency_key: stepKey }, caller));
      }
    }
  }
  try {
    await payments.authorize(
      {
        order_ref: DECLINED.order,
        customer_id: DECLINED.customer,
        amount: DECLINED.amount,
        currency: DECLINED.currency,
        payment_method: DECLINED.token,
        idempotency_key: 'seed-payment-declined-authorize',
      },
      caller,
    );
    throw new AppError('INTERNAL', 'the sandbox accepted pm_card_declined');
  } catch (error) {
    if (!AppError.is(error) || error.code !== 'PAYMENT_DECLINED') throw error;
  }
  return { payments: DEMO_PAYMENTS.length, skipped: replays === calls };
}
