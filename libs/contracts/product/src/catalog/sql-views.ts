import type { SqlView } from '@mcpfed/contract-common';

export type { SqlView, SqlViewColumn } from '@mcpfed/contract-common';

/**
 * The catalog's part of the allow-list of product_query_sql, as data: the tool's description and the
 * `schema://product` resource are generated from it, and the server's migrations create exactly these views.
 */
export const CATALOG_SQL_VIEWS: readonly SqlView[] = Object.freeze([
  {
    name: 'analytics_products',
    description: 'One row per product (archived ones included).',
    columns: [
      { name: 'sku', type: 'text', description: 'Stock-keeping unit.' },
      { name: 'name', type: 'text', description: 'Product name.' },
      { name: 'brand', type: 'text', description: 'Brand; may be null.' },
      { name: 'category', type: 'text', description: 'Category slug.' },
      { name: 'status', type: 'text', description: 'active | draft | archived.' },
      { name: 'price_amount', type: 'integer', description: 'Current price in integer minor units.' },
      { name: 'currency', type: 'text', description: 'ISO 4217 currency of price_amount.' },
      { name: 'version', type: 'integer', description: 'Incremented on every change.' },
      { name: 'created_at', type: 'timestamp with time zone', description: 'When it was created.' },
      { name: 'updated_at', type: 'timestamp with time zone', description: 'When it last changed.' },
      { name: 'archived_at', type: 'timestamp with time zone', description: 'When it was archived; null unless archived.' },
    ],
  },
  {
    name: 'analytics_price_history',
    description: 'Every price a product has had, in order of change (the first row of a SKU is its initial price).',
    columns: [
      { name: 'sku', type: 'text', description: 'Joins analytics_products.sku.' },
      { name: 'price_amount', type: 'integer', description: 'Price in integer minor units from changed_at on.' },
      { name: 'currency', type: 'text', description: 'ISO 4217 currency.' },
      { name: 'changed_at', type: 'timestamp with time zone', description: 'When this price took effect.' },
      { name: 'changed_by', type: 'text', description: 'Principal id, "import:<id>" or "system:seed".' },
    ],
  },
  {
    name: 'analytics_imports',
    description: 'One row per catalog import job.',
    columns: [
      { name: 'id', type: 'text', description: 'Import id (imp_...).' },
      { name: 'status', type: 'text', description: 'queued | running | completed | failed.' },
      { name: 'format', type: 'text', description: 'jsonl | csv.' },
      { name: 'rows_ok', type: 'integer', description: 'Rows upserted.' },
      { name: 'rows_failed', type: 'integer', description: 'Rows rejected.' },
      { name: 'created_at', type: 'timestamp with time zone', description: 'When it was requested.' },
      { name: 'finished_at', type: 'timestamp with time zone', description: 'When it ended; null while running.' },
    ],
  },
] satisfies SqlView[]);
