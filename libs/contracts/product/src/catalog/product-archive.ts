import { z } from 'zod';
import { defineTool, expectedVersionSchema } from '@mcpfed/contract-common';
import { PRODUCT_STATUSES, productSchema, reasonSchema, skuSchema } from './schemas.ts';

/** Archives a product (there is no hard delete). */
export const productArchive = defineTool({
  name: 'product_archive',
  title: 'Archive product',
  description:
    'Archives a product: still readable (product_get, product_lookup, orders) but not sold, and left out ' +
    'of product_search unless filter.status is archived; product_update with changes.status restores it ' +
    '(no hard delete). Archived again changes nothing (changed=false). expected_version (from ' +
    'product_get) is optional: give it to fail if the product changed. Returns { product, ' +
    'previous_status, changed }. On failure: NOT_FOUND; CONFLICT when expected_version is stale.',
  guide:
    'Archives a product: it stays readable (product_get, product_lookup, orders that reference it) but is no ' +
    'longer sold and product_search leaves it out unless filter.status is "archived". There is no hard delete; ' +
    'product_update with changes.status restores it. Archiving an archived product changes nothing ' +
    '(changed=false). expected_version is optional: give it to fail instead of archiving a product that changed ' +
    'since you read it. Returns { product, previous_status, changed }. ' +
    'On failure: NOT_FOUND for an unknown SKU; CONFLICT when expected_version is stale (details.current_version).',
  input: z.strictObject({
    sku: skuSchema,
    expected_version: expectedVersionSchema.optional(),
    reason: reasonSchema.optional().describe('Why (kept in the audit log), 1-500 characters.'),
  }),
  output: z.object({ product: productSchema, previous_status: z.enum(PRODUCT_STATUSES), changed: z.boolean() }),
  scopes: ['product:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
