import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { jobContext } from '@mcpfed/mcp-runtime';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { createLogger } from '@mcpfed/telemetry';
import { staffPrincipal } from '@mcpfed/testing';
import { CustomerService } from '../src/service/customer-service.ts';
import type { CustomerDatabase } from '../src/store/customer-database.ts';

const log = createLogger({ name: 'customer-server-test', level: 'silent' });

/** The request context of a staff caller `test:agent` (reaches every customer) with customer:pii. */
export const PII_CONTEXT: RequestContext = jobContext({ principal: staffPrincipal(['customer:pii'], 'test:agent'), log });
/** The request context of a staff caller `test:agent` (reaches every customer) without customer:pii. */
export const MASKED_CONTEXT: RequestContext = jobContext({ principal: staffPrincipal([], 'test:agent'), log });

let counter = 0;

/** A unique email for test data. */
export function testEmail(local = 'user'): string {
  counter += 1;
  return `${local}.${process.pid}.${counter}.${Math.random().toString(36).slice(2, 8)}@example.com`;
}

/** Creates a customer through the service (so events and defaults are real) and returns its profile. */
export async function createCustomer(
  db: Kysely<CustomerDatabase>,
  values: {
    first_name?: string;
    last_name?: string;
    email?: string;
    phone?: string;
    tier?: 'standard' | 'silver' | 'gold' | 'platinum';
    shipping?: boolean;
  } = {},
) {
  const result = await new CustomerService(db, PII_CONTEXT).create({
    email: values.email ?? testEmail(),
    first_name: values.first_name ?? 'Test',
    last_name: values.last_name ?? 'Person',
    ...(values.phone === undefined ? {} : { phone: values.phone }),
    tier: values.tier ?? 'standard',
    addresses:
      values.shipping === false
        ? []
        : [{ kind: 'shipping', line1: 'Hauptstraße 5', line2: 'Apartment 4', city: 'Berlin', postal_code: '10115', country: 'DE' }],
  });
  return result.customer;
}

/** Every row of the customer tables, ordered, for before/after comparisons. */
export async function snapshotTables(db: Kysely<CustomerDatabase>): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of ['customers', 'addresses', 'customer_notes', 'customer_events', 'customer_order_stats'] as const) {
    const result = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)} ORDER BY 1`.execute(db);
    out[table] = result.rows;
  }
  return out;
}
