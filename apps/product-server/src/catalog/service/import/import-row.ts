import { z } from 'zod';
import { currencySchema } from '@mcpfed/contract-common';
import {
  MAX_PRICE_AMOUNT,
  PRODUCT_STATUSES,
  attributesSchema,
  brandSchema,
  categorySchema,
  descriptionSchema,
  productNameSchema,
  skuSchema,
} from '@mcpfed/contract-product';
import type { ProductUpsertRow } from '../../store/product-bulk-store.ts';

/** One row of an import file: a complete product. Fields not named here are ignored. */
export const importRowSchema = z.object({
  sku: skuSchema,
  name: productNameSchema,
  category: categorySchema,
  price_amount: z.number().int().min(0).max(MAX_PRICE_AMOUNT),
  currency: currencySchema,
  brand: brandSchema.nullish(),
  description: descriptionSchema.nullish(),
  status: z.enum(PRODUCT_STATUSES).default('active'),
  attributes: attributesSchema.default({}),
});

/** A row's verdict: the product to upsert, or the first field at fault and everything wrong with the row. */
export type RowVerdict = { ok: true; row: ProductUpsertRow } | { ok: false; field: string; message: string };

/**
 * Validates the fields of one record. CSV gives every value as text: `price_amount` must then be digits and
 * `attributes` a JSON object text; JSON Lines values are taken as they are.
 */
export function validateImportRow(fields: Record<string, unknown>, fromCsv: boolean): RowVerdict {
  const input = fromCsv ? fromCsvText(fields) : fields;
  if (input === undefined) return { ok: false, field: 'attributes', message: 'attributes: not a JSON object' };
  const plain = plainValidRow(input);
  const parsed = plain === undefined ? importRowSchema.safeParse(input) : { success: true as const, data: plain };
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ field: issue.path.length > 0 ? String(issue.path[0]) : 'row', message: issue.message }));
    return {
      ok: false,
      field: issues[0]?.field ?? 'row',
      message: issues
        .map((issue) => `${issue.field}: ${issue.message}`)
        .join('; ')
        .slice(0, 1000),
    };
  }
  const row = parsed.data;
  const unstorable = unstorableField(row);
  if (unstorable !== undefined)
    return { ok: false, field: unstorable, message: `${unstorable}: contains a NUL character or an unpaired surrogate, which cannot be stored` };
  return {
    ok: true,
    row: {
      sku: row.sku,
      name: row.name,
      brand: row.brand ?? null,
      category: row.category,
      description: row.description ?? null,
      status: row.status,
      price_amount: row.price_amount,
      currency: row.currency,
      attributes: row.attributes,
    },
  };
}

/**
 * The first text field PostgreSQL could not store as given (NUL) or would store altered (an unpaired UTF-16
 * surrogate becomes U+FFFD). File rows never pass the runtime's check of tool arguments, so they get this one;
 * without it one such row would fail its whole batch, and the import with it.
 */
function unstorableField(row: z.output<typeof importRowSchema>): string | undefined {
  const texts: Array<[string, string | null | undefined]> = [
    ['name', row.name],
    ['brand', row.brand],
    ['description', row.description],
    ...Object.values(row.attributes).map((value): [string, string | undefined] => ['attributes', typeof value === 'string' ? value : undefined]),
  ];
  return texts.find(([, text]) => typeof text === 'string' && (text.includes('\0') || !text.isWellFormed()))?.[0];
}

const SKU = /^[A-Z0-9][A-Z0-9._-]{1,63}$/;
const CATEGORY = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const CURRENCY = /^[A-Z]{3}$/;
const ATTRIBUTE_KEY = /^[a-z][a-z0-9_]{0,39}$/;

/**
 * What {@link importRowSchema} makes of a row that plainly passes it (the common case: every value of the expected
 * type and within its limits), checked directly at a fraction of the cost; undefined for any other row, which then
 * goes through the schema itself (and gets its messages). It accepts no row the schema refuses and returns the same
 * output: the schema's rules (contract-product) restated, kept equal by the import-row tests.
 */
function plainValidRow(input: Record<string, unknown>): z.output<typeof importRowSchema> | undefined {
  const { sku, category, price_amount: price, currency, status = 'active', attributes = {} } = input;
  if (typeof sku !== 'string' || !SKU.test(sku)) return undefined;
  if (typeof category !== 'string' || category.length > 64 || !CATEGORY.test(category)) return undefined;
  if (typeof price !== 'number' || !Number.isSafeInteger(price) || price < 0 || price > MAX_PRICE_AMOUNT) return undefined;
  if (typeof currency !== 'string' || !CURRENCY.test(currency)) return undefined;
  if (status !== 'active' && status !== 'draft' && status !== 'archived') return undefined;
  const { name, brand, description } = input;
  if (!plainText(name, 200) || !optionalPlainText(brand, 100) || !optionalPlainText(description, 5000) || !plainAttributes(attributes)) return undefined;
  return {
    sku,
    name: name.trim(),
    category,
    price_amount: price,
    currency,
    brand: brand == null ? brand : brand.trim(),
    description: description == null ? description : description.trim(),
    status,
    attributes,
  };
}

/** Whether a value is text of 1 to `max` characters once trimmed. */
function plainText(value: unknown, max: number): value is string {
  if (typeof value !== 'string') return false;
  const length = value.trim().length;
  return length >= 1 && length <= max;
}

function optionalPlainText(value: unknown, max: number): value is string | null | undefined {
  return value === undefined || value === null || plainText(value, max);
}

function plainAttributes(value: unknown): value is Record<string, string | number | boolean> {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  const keys = Object.keys(value);
  if (keys.length > 30) return false;
  for (const key of keys) {
    if (!ATTRIBUTE_KEY.test(key)) return false;
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === 'string' ? item.length > 200 : typeof item === 'number' ? !Number.isFinite(item) : typeof item !== 'boolean') return false;
  }
  return true;
}

function fromCsvText(fields: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = { ...fields };
  const price = fields['price_amount'];
  if (typeof price === 'string' && /^-?\d{1,15}$/.test(price.trim())) out['price_amount'] = Number(price.trim());
  const attributes = fields['attributes'];
  if (typeof attributes === 'string') {
    try {
      out['attributes'] = JSON.parse(attributes);
    } catch {
      return undefined;
    }
  }
  return out;
}
