import { customerIdSchema, customerResource } from '@mcpfed/contract-customer';
import { AppError } from '@mcpfed/errors';
import { resourceBinder } from '@mcpfed/mcp-runtime';
import { CustomerService } from '../service/customer-service.ts';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { customerIdCompleter } from '../service/customer-id-completer.ts';

/** `customer://{id}`: the customer_get JSON, masked per caller. An unknown or malformed id is NOT_FOUND. */
export const customerResourceBinding = resourceBinder<CustomerDatabase>()(
  customerResource,
  async (uri, params, ctx) => {
    const id = customerIdSchema.safeParse(params['id']);
    if (!id.success) {
      throw new AppError('NOT_FOUND', `No customer resource ${uri}; customer ids look like cus_01j9z3k8q4m2n6p7r8s9t0v1w2.`, { details: { uri } });
    }
    const customer = await new CustomerService(ctx.db, ctx).profile({ id: id.data });
    return [{ uri, mimeType: 'application/json', text: JSON.stringify(customer) }];
  },
  { complete: { id: customerIdCompleter } },
);
