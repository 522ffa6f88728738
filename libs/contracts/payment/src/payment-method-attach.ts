import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import { payingCustomerIdSchema, paymentMethodSchema } from './schemas.ts';

/** Attaches a provider token (a card) to a customer as a reusable payment method. */
export const paymentMethodAttach = defineTool({
  name: 'payment_method_attach',
  title: 'Attach payment method',
  description:
    'Attaches a payment method (a provider card token) to a customer for payment_authorize. Sandbox test ' +
    'tokens: pm_card_visa and pm_card_mastercard succeed, pm_card_declined and pm_card_insufficient_funds ' +
    'are declined at authorization, pm_card_timeout times out after acting, pm_card_slow answers late. ' +
    'The same token and customer again returns the same method (created=false): retries are safe. Returns ' +
    '{ payment_method: { id, customer_id, brand, last4, exp_month, exp_year }, created }. On failure: ' +
    'VALIDATION_FAILED (unknown token); UPSTREAM_UNAVAILABLE or TIMEOUT (retry later).',
  guide:
    'Attaches a payment method (a card token from the payment provider) to a customer so payment_authorize can ' +
    'charge it. With the sandbox provider (the default) the token is one of the test methods: pm_card_visa and ' +
    'pm_card_mastercard succeed, pm_card_declined and pm_card_insufficient_funds are declined at authorization, ' +
    'pm_card_timeout makes the provider time out after it acted, pm_card_slow answers after a delay. ' +
    'Attaching the same token to the same customer again returns the same payment method (created=false), so a ' +
    'retry is safe. Returns { payment_method: { id, customer_id, brand, last4, exp_month, exp_year }, created }; ' +
    'the token itself is never shown again. ' +
    'On failure: VALIDATION_FAILED for a token the provider does not know (use one of the test tokens above); ' +
    'UPSTREAM_UNAVAILABLE or TIMEOUT when the provider is unreachable (retry later).',
  input: z.strictObject({
    customer_id: payingCustomerIdSchema,
    token: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z0-9_\-.]+$/, 'letters, digits and _ - . only')
      .describe('Provider token of the card; with the sandbox provider e.g. "pm_card_visa".'),
  }),
  output: z.object({
    payment_method: paymentMethodSchema,
    created: z.boolean().describe('False when this token was already attached to the customer.'),
  }),
  scopes: ['payment:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  idempotency: 'none',
  redact: ['token'],
});
