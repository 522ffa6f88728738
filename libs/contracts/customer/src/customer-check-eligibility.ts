import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import { CUSTOMER_STATUSES, ELIGIBILITY_REASON_CODES, addressIdSchema, customerIdSchema } from './schemas.ts';

/** Decides whether a customer may place an order now. */
export const customerCheckEligibility = defineTool({
  name: 'customer_check_eligibility',
  title: 'Check purchase eligibility',
  description:
    'Decides whether a customer may order now: active, with a usable shipping address ' +
    '(shipping_address_id, else the default). order_place checks it itself. Returns { eligible, reasons, ' +
    'shipping_address_id, ... }: each failed rule with a code (CUSTOMER_SUSPENDED, CUSTOMER_BLOCKED, ' +
    'CUSTOMER_ANONYMIZED, NO_SHIPPING_ADDRESS, ADDRESS_NOT_FOUND, ADDRESS_NOT_SHIPPING) and a message. ' +
    'Ineligible is a normal result: tell the user why. On failure: NOT_FOUND for an unknown customer id.',
  guide:
    'Decides whether a customer may place an order now: the customer must be active and have a usable shipping ' +
    'address (the given shipping_address_id, else the default shipping address). Call it before placing an order; ' +
    'order_place calls it itself. Returns { customer_id, eligible, status, reasons, shipping_address_id }: reasons ' +
    `is empty when eligible, else lists every failed rule with a stable code (${ELIGIBILITY_REASON_CODES.join(', ')}) ` +
    'and a message; shipping_address_id is the address that would be used (null when none). An ineligible customer ' +
    'is a normal result, not an error: tell the user the reasons. On failure: NOT_FOUND for an unknown customer id.',
  input: z.strictObject({
    customer_id: customerIdSchema,
    shipping_address_id: addressIdSchema.optional().describe('The address the order would ship to; default: the default shipping address.'),
  }),
  output: z.object({
    customer_id: customerIdSchema,
    eligible: z.boolean(),
    status: z.enum(CUSTOMER_STATUSES),
    reasons: z.array(z.object({ code: z.enum(ELIGIBILITY_REASON_CODES), message: z.string() })),
    shipping_address_id: addressIdSchema.nullable(),
  }),
  scopes: ['customer:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
