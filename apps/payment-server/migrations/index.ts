import type { Migration } from 'kysely/migration';
import { approvalsMigration } from '@mcpfed/approvals';
import { runtimeMigrations } from '@mcpfed/mcp-runtime';
import { paymentsMigration } from './0001-payments.ts';
import { ledgerMigration } from './0002-ledger.ts';
import { operationsMigration } from './0003-operations.ts';
import { sandboxProviderMigration } from './0004-sandbox-provider.ts';
import { analyticsViewsMigration } from './0005-analytics-views.ts';
import { limitKeyMigration } from './0006-limit-key.ts';
import { paymentIdPrefixMigration } from './0008-payment-id-prefix.ts';
import { authorizeFunctionsMigration } from './0009-authorize-functions.ts';

/**
 * Every migration of the payment database, by name (applied in name order): the runtime's idempotency and audit
 * tables first, then the domain's own (with the sandbox provider's schema in between).
 */
export const paymentMigrations: Record<string, Migration> = {
  ...runtimeMigrations,
  '0001_payments': paymentsMigration,
  '0002_ledger': ledgerMigration,
  '0003_operations': operationsMigration,
  '0004_sandbox_provider': sandboxProviderMigration,
  '0005_analytics_views': analyticsViewsMigration,
  '0006_limit_key': limitKeyMigration,
  '0007_approvals': approvalsMigration,
  '0008_payment_id_prefix': paymentIdPrefixMigration,
  '0009_authorize_functions': authorizeFunctionsMigration,
};
