import { customerReachOf, requireCustomer } from '@mcpfed/auth';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { customerNotFound } from '../store/customer-not-found.ts';
import type { CustomerRow, CustomerStore } from '../store/customer-store.ts';

/**
 * Locks the customer row for the rest of the transaction and checks it may change: the caller reaches it, it
 * exists, is not anonymized, and (when the caller says which version it read) has not changed since.
 */
export async function lockForChange(
  customers: CustomerStore,
  id: string,
  expectedVersion: number | undefined,
  ctx: Pick<RequestContext, 'principal'>,
): Promise<CustomerRow> {
  requireCustomer(customerReachOf(ctx.principal), id);
  const row = await customers.lock(id);
  if (row === undefined) throw customerNotFound(id);
  if (row.status === 'anonymized') {
    throw new AppError('PRECONDITION_FAILED', `Customer ${id} is anonymized; its data was erased and it cannot change any more.`, {
      details: { id, status: row.status },
    });
  }
  if (expectedVersion !== undefined && expectedVersion !== row.version) {
    throw new AppError(
      'CONFLICT',
      `Customer ${id} changed since you read it (version ${row.version}, you expected ${expectedVersion}). Read it again with customer_get, re-apply your change and retry.`,
      { details: { id, current_version: row.version, expected_version: expectedVersion } },
    );
  }
  return row;
}
