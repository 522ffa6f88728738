import { z } from 'zod';
import { currencySchema } from '@mcpfed/contract-common';
import { skuStockSchema } from '../inventory/schemas.ts';
import { skuRuleSchema } from '../sku.ts';

/** Every status a product can be in. Only `active` products are sold; `archived` replaces deletion. */
export const PRODUCT_STATUSES = ['active', 'draft', 'archived'] as const;
/** A product's status. */
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

/** The statuses product_create and product_update may set (archiving is product_archive). */
export const SETTABLE_PRODUCT_STATUSES = ['active', 'draft'] as const;

/** Largest price product tools accept, in minor units (PostgreSQL integer). */
export const MAX_PRICE_AMOUNT = 2_147_483_647;

/** Most SKUs product_lookup takes in one call. */
export const MAX_LOOKUP_SKUS = 100;

/** Stock-keeping unit: the product's id everywhere in the federation (inventory, orders). Immutable. */
export const skuSchema = skuRuleSchema.describe('SKU, e.g. "HP-0001234".');

/** Category slug, e.g. `headphones` or `power-banks`. */
export const categorySchema = z
  .string()
  .max(64)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a category is a lower-case slug such as "headphones" or "power-banks"')
  .describe('Category slug, e.g. "headphones" (catalog://categories lists them).');

/** A product name. */
export const productNameSchema = z.string().trim().min(1).max(200).describe('Name shown to shoppers.');

/** A brand. */
export const brandSchema = z.string().trim().min(1).max(100).describe('Brand.');

/** A product description. */
export const descriptionSchema = z.string().trim().min(1).max(5000).describe('Shown to shoppers.');

/** A price as given by a caller: integer minor units (>= 0) and currency. */
export const priceInputSchema = z.strictObject({
  amount: z.number().int().min(0).max(MAX_PRICE_AMOUNT).describe('Integer minor units (cents for EUR/USD), >= 0.'),
  currency: currencySchema,
});

/** A price as returned. */
export const priceSchema = z.object({
  amount: z.number().int().describe('Integer minor units (cents for EUR/USD).'),
  currency: currencySchema,
});

const ATTRIBUTE_KEY = /^[a-z][a-z0-9_]{0,39}$/;

/** Free-form product attributes (colour, size, model): at most 30 keys with short scalar values. */
export const attributesSchema = z
  .record(z.string().regex(ATTRIBUTE_KEY, 'attribute names are snake_case, 1-40 characters'), z.union([z.string().max(200), z.number(), z.boolean()]))
  .refine((attributes) => Object.keys(attributes).length <= 30, 'at most 30 attributes')
  .describe('Attributes such as {"color": "Black", "model": "Pro 45"}: snake_case keys, string/number/boolean values, at most 30.');

/** A timestamp on the wire: ISO 8601 / RFC 3339 in UTC. */
export const timestampSchema = z.iso.datetime().describe('ISO 8601 timestamp in UTC, e.g. "2025-03-01T12:00:00.000Z".');

/** One entry of a product's price history. */
export const priceChangeSchema = z.object({
  price: priceSchema,
  changed_at: timestampSchema,
  changed_by: z.string().describe('Principal id, "import:<import id>" or "system:seed".'),
  reason: z.string().nullable(),
});

/** A product with stock and recent price history: what product_get returns. */
export const productSchema = z.object({
  sku: skuSchema,
  name: z.string(),
  brand: z.string().nullable(),
  category: z.string(),
  description: z.string().nullable(),
  status: z.enum(PRODUCT_STATUSES),
  price: priceSchema,
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  version: z.number().int().min(1).describe('Pass as expected_version to product_update / product_archive / product_set_price.'),
  created_at: timestampSchema,
  updated_at: timestampSchema,
  archived_at: timestampSchema.nullable(),
  stock: skuStockSchema.describe('Stock over all locations and per location (the inventory tools change it).'),
  price_history: z.array(priceChangeSchema).describe('The last 10 prices, newest (the current one) first.'),
});

/** A product in lists (search, lookup). */
export const productSummarySchema = z.object({
  sku: skuSchema,
  name: z.string(),
  brand: z.string().nullable(),
  category: z.string(),
  status: z.enum(PRODUCT_STATUSES),
  price: priceSchema,
  version: z.number().int().min(1),
  available: z.number().int().describe('Units available over all locations (on_hand - reserved).'),
  in_stock: z.boolean().describe('available > 0.'),
});

/** Reason of a price change or an archive. */
export const reasonSchema = z.string().trim().min(1).max(500);
