import { z } from 'zod';
import { defineTool, expectedVersionSchema } from '@mcpfed/contract-common';
import {
  SETTABLE_PRODUCT_STATUSES,
  attributesSchema,
  brandSchema,
  categorySchema,
  descriptionSchema,
  productNameSchema,
  productSchema,
  skuSchema,
} from './schemas.ts';

/** The product fields product_update may change. */
export const PRODUCT_UPDATABLE_FIELDS = ['name', 'brand', 'category', 'description', 'attributes', 'status'] as const;

/** Changes catalog fields of a product under optimistic concurrency. */
export const productUpdate = defineTool({
  name: 'product_update',
  title: 'Update product',
  description:
    'Changes catalog fields of a product: name, brand, category, description (null removes brand or ' +
    'description), attributes (replaced whole), status (active or draft; restores an archived product). ' +
    'Give only the fields to change in changes, plus expected_version (product_get). Prices: ' +
    'product_set_price; archiving: product_archive. Returns { product, changed_fields } with the new ' +
    'version. On failure: CONFLICT when it changed since you read it (read again, re-apply); NOT_FOUND; ' +
    'PRECONDITION_FAILED when archived and changes.status is not given.',
  guide:
    'Changes catalog fields of a product: name, brand, category, description (null removes brand or ' +
    'description), attributes (replaced as a whole) and status ("active" or "draft"; giving it to an archived ' +
    'product restores it). Give only the fields to change, in changes, plus expected_version (the version you ' +
    'read with product_get). Prices change only through product_set_price (it keeps the history); archiving is ' +
    'product_archive; the SKU never changes. Returns { product, changed_fields } with the new version; fields ' +
    'whose value is unchanged are not listed (and the version stays when nothing changed). ' +
    'On failure: CONFLICT when the product changed since you read it (details.current_version: read it again, ' +
    're-apply and retry); NOT_FOUND for an unknown SKU; PRECONDITION_FAILED when the product is archived and ' +
    'changes.status is not given (restore it first or in the same call).',
  input: z.strictObject({
    sku: skuSchema,
    expected_version: expectedVersionSchema,
    changes: z
      .strictObject({
        name: productNameSchema.optional(),
        brand: brandSchema.nullable().optional().describe('Brand, or null to remove it.'),
        category: categorySchema.optional(),
        description: descriptionSchema.nullable().optional().describe('Description, or null to remove it.'),
        attributes: attributesSchema.optional().describe('The complete new attributes (replaces the old ones).'),
        status: z.enum(SETTABLE_PRODUCT_STATUSES).optional(),
      })
      .refine((changes) => Object.values(changes).some((value) => value !== undefined), { message: 'give at least one field to change' }),
  }),
  output: z.object({ product: productSchema, changed_fields: z.array(z.enum(PRODUCT_UPDATABLE_FIELDS)) }),
  scopes: ['product:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
