import { z } from 'zod';
import { defineTool, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import {
  SETTABLE_PRODUCT_STATUSES,
  attributesSchema,
  brandSchema,
  categorySchema,
  descriptionSchema,
  priceInputSchema,
  productNameSchema,
  productSchema,
  skuSchema,
} from './schemas.ts';

/** Creates a product. */
export const productCreate = defineTool({
  name: 'product_create',
  title: 'Create product',
  description:
    'Creates a product under a new, permanent SKU with its price (integer minor units + currency) and ' +
    'status active (sold, searchable) or draft (hidden). Stock starts at zero (inventory_adjust receives ' +
    'it). With an idempotency_key a retry returns the original result. Returns { product, replayed } as ' +
    'product_get shows it. On failure: CONFLICT when the SKU exists (product_get, product_update); ' +
    'VALIDATION_FAILED (names the fields); IDEMPOTENCY_KEY_REUSED.',
  guide:
    'Creates a product under a new SKU with its price (integer minor units + ISO 4217 currency; the first entry ' +
    'of its price history) and status "active" (sold, found by product_search) or "draft" (hidden until ' +
    'activated). The SKU is permanent. Stock starts at zero: the inventory tools receive stock. Pass an ' +
    'idempotency_key when you may retry: the retry returns the original result with replayed=true. ' +
    'Returns { product, replayed } with the product as product_get shows it. ' +
    'On failure: CONFLICT when the SKU exists (read it with product_get; change it with product_update); ' +
    'VALIDATION_FAILED for bad fields (the message names them); IDEMPOTENCY_KEY_REUSED when the key was used with ' +
    'different arguments (use a new key).',
  input: z.strictObject({
    sku: skuSchema,
    name: productNameSchema,
    brand: brandSchema.optional(),
    category: categorySchema,
    description: descriptionSchema.optional(),
    price: priceInputSchema,
    status: z.enum(SETTABLE_PRODUCT_STATUSES).default('active').describe('Default "active".'),
    attributes: attributesSchema.optional(),
    idempotency_key: idempotencyKeySchema.optional(),
  }),
  output: z.object({ product: productSchema, replayed: replayedSchema }),
  scopes: ['product:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  idempotency: 'optional',
});
