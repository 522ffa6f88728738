import { AppError } from '@mcpfed/errors';

/** CONFLICT for an update whose expected_version is not the order's version. */
export function staleVersion(orderId: string, current: number, expected: number): AppError {
  return new AppError('CONFLICT', `Order ${orderId} is at version ${current}, not ${expected}: read it again (order_get) and retry with its version.`, {
    details: { order_id: orderId, current_version: current, expected_version: expected },
  });
}
