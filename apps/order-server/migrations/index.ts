import type { Migration } from 'kysely/migration';
import { approvalsMigration } from '@mcpfed/approvals';
import { runtimeMigrations } from '@mcpfed/mcp-runtime';
import { ordersMigration } from './0001-orders.ts';
import { outboxAndSagasMigration } from './0002-outbox-and-sagas.ts';
import { analyticsViewsMigration } from './0003-analytics-views.ts';
import { operationClaimsMigration } from './0004-operation-claims.ts';
import { feedPositionsMigration } from './0005-feed-positions.ts';
import { eventDeliveryMigration } from './0006-event-delivery.ts';
import { checkoutCallerTokensMigration } from './0008-checkout-caller-tokens.ts';
import { orderIdPrefixMigration } from './0009-order-id-prefix.ts';

/** Every migration of the order database, by name (applied in name order): the runtime's tables first, then the domain's. */
export const orderMigrations: Record<string, Migration> = {
  ...runtimeMigrations,
  '0001_orders': ordersMigration,
  '0002_outbox_and_sagas': outboxAndSagasMigration,
  '0003_analytics_views': analyticsViewsMigration,
  '0004_operation_claims': operationClaimsMigration,
  '0005_feed_positions': feedPositionsMigration,
  '0006_event_delivery': eventDeliveryMigration,
  '0007_approvals': approvalsMigration,
  '0008_checkout_caller_tokens': checkoutCallerTokensMigration,
  '0009_order_id_prefix': orderIdPrefixMigration,
};
