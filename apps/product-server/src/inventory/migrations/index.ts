import type { Migration } from 'kysely/migration';
import { inventoryMigration } from './0100-inventory.ts';

/**
 * The inventory migrations, by name. Names start with `0100_` so they sort after the catalog's (`0001_`...):
 * inventory tables reference `products(sku)`. The product server spreads them into its migrations object.
 */
export const inventoryMigrations: Record<string, Migration> = {
  '0100_inventory': inventoryMigration,
};
