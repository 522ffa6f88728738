import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import { productSchema, skuSchema } from './schemas.ts';

/** Reads one product by SKU, with stock per location and recent prices. */
export const productGet = defineTool({
  name: 'product_get',
  title: 'Get product',
  description:
    'Reads one product by SKU: name, brand, category, description, status, price (integer minor units + ' +
    'currency), attributes, version (the expected_version of product_update), stock per location ' +
    '(on_hand, reserved, available) and the last 10 prices. Archived ones too. Many SKUs: product_lookup; ' +
    'finding one: product_search. On failure: NOT_FOUND (search instead); VALIDATION_FAILED for a ' +
    'malformed SKU.',
  guide:
    'Reads one product by SKU: name, brand, category, description, status, price (integer minor units + ISO 4217 ' +
    'currency), attributes, version (needed as expected_version by product_update), stock per location ' +
    '(on_hand, reserved, available = on_hand - reserved, plus totals) and the last 10 prices (newest first). ' +
    'Archived products are returned too (status "archived"). For many SKUs at once use product_lookup; to find a ' +
    'SKU use product_search. ' +
    'On failure: NOT_FOUND when no product has this SKU (SKUs are case-sensitive upper case; search instead); ' +
    'VALIDATION_FAILED for a malformed SKU.',
  input: z.strictObject({ sku: skuSchema }),
  output: productSchema,
  scopes: ['product:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
