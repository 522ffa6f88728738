import { sqlRelationNames } from '@mcpfed/contract-common';
import type { SqlView } from '@mcpfed/contract-common';

export type { SqlView, SqlViewColumn } from '@mcpfed/contract-common';

/**
 * The allow-list of customer_query_sql, as data: the tool's description and the `schema://customer` resource
 * are both generated from it, and the server's migrations create exactly these views. None holds personal data.
 */
export const CUSTOMER_SQL_VIEWS: readonly SqlView[] = Object.freeze([
  {
    name: 'analytics_customers',
    description: 'One row per customer, without personal data.',
    columns: [
      { name: 'id', type: 'text', description: 'Customer id (cus_...).' },
      { name: 'tier', type: 'text', description: 'standard | silver | gold | platinum.' },
      { name: 'status', type: 'text', description: 'active | suspended | blocked | anonymized.' },
      { name: 'country', type: 'text', description: 'ISO 3166-1 alpha-2 country of the default shipping address (else any address); null without one.' },
      { name: 'created_at', type: 'timestamptz', description: 'When the customer was created.' },
      { name: 'order_count', type: 'integer', description: 'Number of placed orders (0 when none).' },
      { name: 'lifetime_value_amount', type: 'bigint', description: 'Sum of captured order totals in integer minor units (0 when none).' },
      { name: 'lifetime_value_currency', type: 'text', description: 'ISO 4217 currency of lifetime_value_amount.' },
      { name: 'last_order_at', type: 'timestamptz', description: 'When the last order was placed; null when never.' },
    ],
  },
  {
    name: 'analytics_addresses',
    description: 'One row per address, without street lines, postal codes or names.',
    columns: [
      { name: 'customer_id', type: 'text', description: 'Customer id (joins analytics_customers.id).' },
      { name: 'kind', type: 'text', description: 'shipping | billing.' },
      { name: 'is_default', type: 'boolean', description: 'Whether it is the default address of its kind.' },
      { name: 'city', type: 'text', description: 'City.' },
      { name: 'region', type: 'text', description: 'State / province; may be null.' },
      { name: 'country', type: 'text', description: 'ISO 3166-1 alpha-2 country code.' },
    ],
  },
] satisfies SqlView[]);

/** The allow-listed relation names of customer_query_sql. */
export const CUSTOMER_SQL_RELATIONS: readonly string[] = sqlRelationNames(CUSTOMER_SQL_VIEWS);
