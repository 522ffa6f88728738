import { z } from 'zod';

/**
 * The one SKU rule of the product domain (the catalog's products.sku, inventory's stock, orders' lines): 2-64 upper-case
 * letters, digits, ".", "_" or "-", starting with a letter or digit. Lives outside catalog/ and inventory/ because
 * catalog's schemas import inventory's, so inventory cannot import catalog's. Undescribed: each part adds its own
 * description (`skuSchema`, `stockSkuSchema`).
 */
export const skuRuleSchema = z
  .string()
  .regex(/^[A-Z0-9][A-Z0-9._-]{1,63}$/, 'a SKU is 2-64 characters: upper-case letters, digits, ".", "_" or "-", e.g. "HP-0001234"');
