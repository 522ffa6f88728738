import { defineResource } from '@mcpfed/contract-common';

/** One payment as JSON (the payment_get shape). */
export const paymentResource = defineResource({
  uri: 'payment://{id}',
  name: 'payment',
  title: 'Payment',
  description:
    'One payment as JSON (the payment_get shape): status, amounts in integer minor units of currency, payment ' +
    'method brand and last4, expiry and the latest refunds.',
  mimeType: 'application/json',
  scopes: ['payment:read'],
  completes: ['id'],
});

/** The money limits and approval rules in force, as JSON. */
export const paymentLimitsResource = defineResource({
  uri: 'policy://payment/limits',
  name: 'payment-limits',
  title: 'Payment limits',
  description:
    'The limits this payment server enforces, as JSON, in integer minor units of each currency: the per-call ' +
    'maximum and the per-principal rolling 24-hour maximum for authorizations and refunds, the refund amount above ' +
    'which a person must approve, how long an approval is valid and when uncaptured authorizations expire.',
  mimeType: 'application/json',
  scopes: ['payment:read'],
});

/** The analytics views payment_query_sql may read, with their columns, as JSON. */
export const paymentSchemaResource = defineResource({
  uri: 'schema://payment',
  name: 'payment-sql-schema',
  title: 'Payment analytics SQL schema',
  description: 'The views payment_query_sql may read, with column names, PostgreSQL types and meanings, as JSON.',
  mimeType: 'application/json',
  scopes: ['sql:read'],
});
