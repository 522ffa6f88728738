import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import { LEDGER_ACCOUNTS } from './ledger-accounts.ts';
import { PAYMENT_STATUSES, currencyCodeSchema, reportedAmountSchema, timestampSchema } from './schemas.ts';

/** Totals of payments by status and currency, and ledger account movements, over a time window. */
export const paymentBalanceSummary = defineTool({
  name: 'payment_balance_summary',
  title: 'Payment totals',
  description:
    'Sums the payments created in a window (default the last 24 hours, at most 366 days) by currency and ' +
    "status (count, authorized, captured, refunded), and each ledger account's debits, credits and " +
    'balance in it; integer minor units, never mixed across currencies. Other questions: ' +
    'payment_query_sql. Returns { from, to, by_status, ledger }. On failure: VALIDATION_FAILED (from not ' +
    'before to, or over 366 days).',
  guide:
    'Sums the payments created in a time window (default: the last 24 hours; at most 366 days) by currency and ' +
    "status — count, authorized, captured and refunded amounts — plus each ledger account's debits, credits and " +
    'balance from postings in the window. Amounts are integer minor units and never mixed across currencies. Use ' +
    'it for daily totals and to explain money flows; for arbitrary questions use payment_query_sql. Returns { from, ' +
    'to, by_status, ledger }. ' +
    'On failure: VALIDATION_FAILED when from is not before to or the window is longer than 366 days.',
  input: z.strictObject({
    from: timestampSchema.optional().describe('Start of the window (inclusive); default 24 hours before to.'),
    to: timestampSchema.optional().describe('End of the window (exclusive); default now.'),
    currency: currencyCodeSchema.optional().describe('Only this currency.'),
  }),
  output: z.object({
    from: timestampSchema,
    to: timestampSchema,
    by_status: z.array(
      z.object({
        currency: currencyCodeSchema,
        status: z.enum(PAYMENT_STATUSES),
        count: z.number().int().min(0),
        amount_authorized: reportedAmountSchema,
        amount_captured: reportedAmountSchema,
        amount_refunded: reportedAmountSchema,
      }),
    ),
    ledger: z.array(
      z.object({
        currency: currencyCodeSchema,
        account: z.enum(LEDGER_ACCOUNTS),
        debits: reportedAmountSchema,
        credits: reportedAmountSchema,
        normal_balance: z.enum(['debit', 'credit']),
        balance: z
          .number()
          .int()
          .describe('Movement on the normal side in the window: debits - credits for debit accounts, credits - debits for credit accounts.'),
      }),
    ),
  }),
  scopes: ['payment:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
