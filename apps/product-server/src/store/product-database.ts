import type { CatalogTables } from '../catalog/store/catalog-tables.ts';
import type { InventoryTables } from '../inventory/index.ts';

/**
 * The product server's database as Kysely sees it: the catalog's tables and the inventory's (the runtime's own
 * tables are not used through it). The catalog reads `inventory_levels` for stock; only inventory writes it.
 */
export interface ProductDatabase extends CatalogTables, InventoryTables {}
