import { AppError } from '@mcpfed/errors';

/** The NOT_FOUND of an unknown customer id, with what to do next. */
export function customerNotFound(id: string): AppError {
  return new AppError('NOT_FOUND', `No customer ${id}. Check the id or find the customer with customer_search.`, { details: { id } });
}
