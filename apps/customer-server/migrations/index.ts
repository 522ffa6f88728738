import type { Migration } from 'kysely/migration';
import { runtimeMigrations } from '@mcpfed/mcp-runtime';
import { customersMigration } from './0001-customers.ts';
import { addressesNotesEventsMigration } from './0002-addresses-notes-events.ts';
import { customerOrderStatsMigration } from './0003-customer-order-stats.ts';
import { analyticsViewsMigration } from './0004-analytics-views.ts';
import { customerOrderSnapshotsMigration } from './0005-customer-order-snapshots.ts';
import { customerIdPrefixMigration } from './0006-customer-id-prefix.ts';

/**
 * Every migration of the customer database, by name (applied in name order): the runtime's idempotency and
 * audit tables first, then the domain's own.
 */
export const customerMigrations: Record<string, Migration> = {
  ...runtimeMigrations,
  '0001_customers': customersMigration,
  '0002_addresses_notes_events': addressesNotesEventsMigration,
  '0003_customer_order_stats': customerOrderStatsMigration,
  '0004_analytics_views': analyticsViewsMigration,
  '0005_customer_order_snapshots': customerOrderSnapshotsMigration,
  '0006_customer_id_prefix': customerIdPrefixMigration,
};
