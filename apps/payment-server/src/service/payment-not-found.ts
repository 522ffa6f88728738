import { AppError } from '@mcpfed/errors';

/** The NOT_FOUND of an unknown payment id (or one out of the caller's reach), with what to do next. */
export function paymentNotFound(id: string): AppError {
  return new AppError('NOT_FOUND', `No payment ${id}. Find the payments of an order or customer with payment_search.`, { details: { payment_id: id } });
}
