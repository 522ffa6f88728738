import { z } from 'zod';

/** `limit` of every list tool: 1–100, default 20. */
export const limitSchema = z.number().int().min(1).max(100).default(20).describe('Page size.');

/** Opaque keyset cursor returned as `next_cursor` by the previous page. */
export const cursorSchema = z.string().min(1).max(512).describe('next_cursor of the previous page.');

/** `next_cursor` of a list result: null on the last page. */
export const nextCursorSchema = z.string().nullable().describe('Pass as cursor to get the next page; null when there are no more items.');

/** Idempotency key: a retry with the same key returns the original response. */
export const idempotencyKeySchema = z
  .string()
  .min(8)
  .max(200)
  .regex(/^[A-Za-z0-9:_\-.]+$/, 'letters, digits and : _ - . only')
  .describe('A new UUID per operation; the same one only to retry it.');

/** `expected_version` for optimistic concurrency on updates. */
export const expectedVersionSchema = z.number().int().min(1).describe('version as you last read it; CONFLICT if it changed since.');

/** ISO 4217 currency code. */
export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. EUR')
  .describe('ISO 4217 currency code, e.g. "EUR".');

/** An amount of money: integer minor units plus currency. */
export const moneySchema = z.object({
  amount: z.number().int().describe('Integer minor units (cents for EUR/USD).'),
  currency: currencySchema,
});

/** `replayed` flag on results of idempotent writes. */
export const replayedSchema = z.boolean().describe('True when this result was returned from an earlier call with the same idempotency key.');

/** `dry_run` flag of risky writes. */
export const dryRunSchema = z.boolean().default(false).describe('true: report what would happen, change nothing.');
