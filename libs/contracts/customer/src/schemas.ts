import { z } from 'zod';
import { moneySchema } from '@mcpfed/contract-common';
import { ISO_COUNTRY_CODES } from './countries.ts';

const COUNTRY_SET = new Set(ISO_COUNTRY_CODES);
const BASE32 = '[0-9a-hjkmnp-tv-z]{26}';

/** Customer tiers, lowest first. */
export const CUSTOMER_TIERS = ['standard', 'silver', 'gold', 'platinum'] as const;
/** A customer's tier. */
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];

/** Every status a customer can be in; `anonymized` is reached only through customer_anonymize and is final. */
export const CUSTOMER_STATUSES = ['active', 'suspended', 'blocked', 'anonymized'] as const;
/** A customer's status. */
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

/** The statuses customer_set_status may set. */
export const SETTABLE_STATUSES = ['active', 'suspended', 'blocked'] as const;

/** Address kinds: where goods may go (`shipping`) or where invoices go (`billing`). */
export const ADDRESS_KINDS = ['shipping', 'billing'] as const;
/** An address kind. */
export type AddressKind = (typeof ADDRESS_KINDS)[number];

/** Event types of a customer's timeline. Other domains' projections may add more types later. */
export const CUSTOMER_EVENT_TYPES = [
  'customer.created',
  'customer.updated',
  'customer.status_changed',
  'customer.address_added',
  'customer.address_removed',
  'customer.note_added',
  'customer.anonymized',
] as const;
/** A timeline event type. */
export type CustomerEventType = (typeof CUSTOMER_EVENT_TYPES)[number];

/** Stable reason codes of customer_check_eligibility; callers may switch on them. */
export const ELIGIBILITY_REASON_CODES = [
  'CUSTOMER_SUSPENDED',
  'CUSTOMER_BLOCKED',
  'CUSTOMER_ANONYMIZED',
  'NO_SHIPPING_ADDRESS',
  'ADDRESS_NOT_FOUND',
  'ADDRESS_NOT_SHIPPING',
] as const;
/** An eligibility reason code. */
export type EligibilityReasonCode = (typeof ELIGIBILITY_REASON_CODES)[number];

/** Maximum number of addresses one customer may hold. */
export const MAX_ADDRESSES_PER_CUSTOMER = 20;

/** Customer id: `cus_` followed by 26 lowercase Crockford base32 characters. */
export const customerIdSchema = z
  .string()
  .max(30)
  .regex(new RegExp(`^cus_${BASE32}$`), 'a customer id looks like cus_01j9z3k8q4m2n6p7r8s9t0v1w2')
  .describe('Customer id (customer_search finds one).');

/** Address id: `adr_` followed by 26 lowercase Crockford base32 characters. */
export const addressIdSchema = z
  .string()
  .max(30)
  .regex(new RegExp(`^adr_${BASE32}$`), 'an address id looks like adr_01j9z3k8q4m2n6p7r8s9t0v1w2')
  .describe('Address id (customer_get lists them).');

/** An email address as input: validated, at most 254 characters. Compared case-insensitively. */
export const emailSchema = z.email().max(254).describe('Email (case-insensitive).');

/** A phone number in E.164 form. */
export const phoneSchema = z
  .string()
  .regex(/^\+[1-9][0-9]{6,14}$/, 'E.164 form: "+" then 7-15 digits, e.g. +4930123456')
  .describe('Phone number in E.164 form, e.g. "+4930123456".');

/** A person's first or last name. */
export const personNameSchema = z.string().trim().min(1).max(200);

/** ISO 3166-1 alpha-2 country code, upper case. */
export const countrySchema = z
  .string()
  .length(2)
  .refine((code) => COUNTRY_SET.has(code), 'must be an ISO 3166-1 alpha-2 code in upper case, e.g. "DE", "GB", "US"')
  .describe('ISO 3166-1 alpha-2 code, e.g. "DE", "GB" (not "UK").');

/** A timestamp on the wire: ISO 8601 / RFC 3339 in UTC. */
export const timestampSchema = z.iso.datetime().describe('ISO 8601 timestamp in UTC, e.g. "2025-03-01T12:00:00.000Z".');

/** Free-text reason for a status change or an erasure. */
export const reasonSchema = z.string().trim().min(1).max(500);

/** A note's text. */
export const noteBodySchema = z.string().trim().min(1).max(5000);

/** An address as given by a caller. */
export const addressInputSchema = z.strictObject({
  kind: z.enum(ADDRESS_KINDS).describe('shipping (goods go there) or billing.'),
  recipient_name: z.string().trim().min(1).max(200).optional().describe('Name on the label if not the customer.'),
  line1: z.string().trim().min(1).max(200).describe('Street and number.'),
  line2: z.string().trim().min(1).max(200).optional().describe('Apartment, floor, c/o.'),
  city: z.string().trim().min(1).max(100),
  region: z.string().trim().min(1).max(100).optional().describe('State, province or county where used.'),
  postal_code: z.string().trim().min(1).max(20),
  country: countrySchema,
  is_default: z.boolean().optional().describe('Make it the default of its kind (the first of a kind always is).'),
});

/** An address as returned. Lines and postal code are masked unless the caller holds customer:pii. */
export const addressSchema = z.object({
  id: addressIdSchema,
  kind: z.enum(ADDRESS_KINDS),
  is_default: z.boolean(),
  recipient_name: z.string().nullable(),
  line1: z.string(),
  line2: z.string().nullable(),
  city: z.string(),
  region: z.string().nullable(),
  postal_code: z.string(),
  country: z.string(),
  created_at: timestampSchema,
});

/** Order statistics kept from the order domain's events; zero / null until the customer orders. */
export const orderStatsSchema = z.object({
  order_count: z.number().int().min(0).describe('Number of placed orders.'),
  lifetime_value: moneySchema.describe('Sum of captured order totals, integer minor units.'),
  last_order_at: timestampSchema.nullable().describe('When the last order was placed; null when never.'),
});

/**
 * A customer profile. Email, phone and address lines / postal codes are masked (`j***@example.com`)
 * unless the caller holds customer:pii; `pii_masked` says which. Personal fields are null once anonymized.
 */
export const customerSchema = z.object({
  id: customerIdSchema,
  email: z.string().nullable().describe('Email; masked like "j***@example.com" without customer:pii; null once anonymized.'),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  phone: z.string().nullable().describe('E.164 phone; masked like "+*********56" without customer:pii.'),
  tier: z.enum(CUSTOMER_TIERS),
  status: z.enum(CUSTOMER_STATUSES),
  status_reason: z.string().nullable(),
  version: z.number().int().min(1).describe('Pass as expected_version to update tools.'),
  created_at: timestampSchema,
  updated_at: timestampSchema,
  anonymized_at: timestampSchema.nullable(),
  pii_masked: z.boolean().describe('True when email, phone and address lines are masked for this caller.'),
  addresses: z.array(addressSchema),
  order_stats: orderStatsSchema,
});

/** One row of customer_search. */
export const customerSummarySchema = z.object({
  id: customerIdSchema,
  email: z.string().nullable(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  tier: z.enum(CUSTOMER_TIERS),
  status: z.enum(CUSTOMER_STATUSES),
  created_at: timestampSchema,
  relevance: z.number().nullable().describe('Trigram similarity 0-1 to the query (higher is better); null without a query.'),
  pii_masked: z.boolean(),
});

/** A note on a customer. */
export const noteSchema = z.object({
  id: z.string(),
  body: z.string().nullable().describe('The note text; null once erased by customer_anonymize.'),
  author: z.string().describe('Principal id of who wrote it.'),
  created_at: timestampSchema,
});

/** One event of a customer's timeline. */
export const timelineEventSchema = z.object({
  id: z.string(),
  type: z.string().describe(`Event type: ${CUSTOMER_EVENT_TYPES.join(', ')} (other domains may add more).`),
  occurred_at: timestampSchema,
  actor: z.string().describe('Principal id that caused it, or "system".'),
  summary: z.string().describe('One line for a human.'),
  data: z.record(z.string(), z.unknown()).describe('Type-specific facts (never email, phone or address lines).'),
});
