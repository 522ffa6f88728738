import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import { orderRefSchema, timestampSchema } from './schemas.ts';

/** Kinds of drift payment_reconcile reports. */
export const DRIFT_KINDS = ['missing_at_provider', 'missing_locally', 'amount_mismatch', 'status_mismatch', 'currency_mismatch'] as const;

/** Amounts payment_reconcile compares. */
export const DRIFT_FIELDS = ['authorized', 'captured', 'refunded', 'held'] as const;

/** Longest time window payment_reconcile checks, in days. */
export const MAX_RECONCILE_WINDOW_DAYS = 31;

/** Compares the ledger and local payment records with the provider's records. */
export const paymentReconcile = defineTool({
  name: 'payment_reconcile',
  title: 'Reconcile payments',
  description:
    "Compares the ledger, the local payment and the provider's charge of each payment of one order " +
    '(order_ref) or a window (from, optional to; at most 31 days) and reports differences; changes ' +
    'nothing. Drift kinds: missing_at_provider, missing_locally (often still completing: ' +
    'pending_operations), amount_mismatch, status_mismatch, currency_mismatch. Returns { scope, in_sync, ' +
    'drift, pending_operations, ... }. Report drift to a human; do not fix it with refunds. On failure: ' +
    'VALIDATION_FAILED (neither or both of order_ref and from, or over 31 days); UPSTREAM_UNAVAILABLE ' +
    '(retry later).',
  guide:
    "Compares three records of each payment — the double-entry ledger, the local payment row and the provider's " +
    'charge — for one order (order_ref) or a time window (from, optional to; at most 31 days), and reports every ' +
    'difference. It changes nothing. Drift kinds: missing_at_provider (local payment without provider charge), ' +
    'missing_locally (provider charge without a local payment: usually an operation still being completed — see ' +
    'pending_operations — otherwise money moved that the books do not show), amount_mismatch (field authorized, ' +
    'captured, refunded or held differs; ledger/local/provider give the three values in integer minor units), ' +
    'status_mismatch and currency_mismatch. Returns { scope, payments_checked, provider_charges_checked, in_sync, ' +
    'drift, pending_operations, truncated }. Report drift to a human; do not try to fix it with refunds. ' +
    'On failure: VALIDATION_FAILED when neither or both of order_ref and from are given, or the window is longer ' +
    'than 31 days; UPSTREAM_UNAVAILABLE when the provider cannot be read (retry later).',
  input: z
    .strictObject({
      order_ref: orderRefSchema.optional().describe('Reconcile the payments of this order.'),
      from: timestampSchema.optional().describe('Start of a time window (payments and provider charges created at or after).'),
      to: timestampSchema.optional().describe('End of the window (exclusive); default now.'),
    })
    .refine((input) => (input.order_ref === undefined) !== (input.from === undefined), {
      message: 'give either order_ref or from (with an optional to)',
    })
    .refine((input) => input.order_ref === undefined || input.to === undefined, {
      message: 'to only goes with from',
      path: ['to'],
    }),
  output: z.object({
    scope: z.object({ order_ref: z.string().nullable(), from: timestampSchema.nullable(), to: timestampSchema.nullable() }),
    payments_checked: z.number().int().min(0),
    provider_charges_checked: z.number().int().min(0),
    in_sync: z.boolean().describe('True when no drift was found.'),
    drift: z.array(
      z.object({
        kind: z.enum(DRIFT_KINDS),
        payment_id: z.string().nullable(),
        provider_charge_id: z.string().nullable(),
        field: z.enum(DRIFT_FIELDS).nullable(),
        ledger: z.union([z.number().int(), z.string()]).nullable().describe('Value per the ledger (null when not applicable).'),
        local: z.union([z.number().int(), z.string()]).nullable().describe('Value per the local payment record.'),
        provider: z.union([z.number().int(), z.string()]).nullable().describe("Value per the provider's record."),
        message: z.string(),
      }),
    ),
    pending_operations: z
      .number()
      .int()
      .min(0)
      .describe('Money movements in scope still being completed: they finish on a retry with the same key, or by themselves within about two minutes.'),
    truncated: z.boolean().describe('True when more than 1000 payments were in scope and only the first 1000 were checked.'),
  }),
  scopes: ['payment:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  idempotency: 'none',
  deadlineMs: 15_000,
});
