import { PAYMENT_SQL_VIEWS, paymentQuerySql, paymentSchemaResource } from '@mcpfed/contract-payment';
import { resourceBinder } from '@mcpfed/mcp-runtime';
import type { PaymentDatabase } from '../store/payment-database.ts';

const SCHEMA_JSON = JSON.stringify(
  {
    tool: paymentQuerySql.name,
    dialect: 'PostgreSQL',
    rules: 'One SELECT over these views only; read-only; rows capped by the tool limit; amounts are bigint integer minor units of the row currency.',
    views: PAYMENT_SQL_VIEWS,
  },
  null,
  2,
);

/** `schema://payment`: the views payment_query_sql may read, from the contract's allow-list. */
export const paymentSchemaResourceBinding = resourceBinder<PaymentDatabase>()(paymentSchemaResource, async (uri) => [
  { uri, mimeType: 'application/json', text: SCHEMA_JSON },
]);
