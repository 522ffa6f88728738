import { AppError } from '@mcpfed/errors';
import type { OperationRow } from '../store/operation-store.ts';
import type { ProviderResult } from './operation-steps.ts';
import type { ProviderCharge, ProviderRefund } from './provider/payment-provider.ts';

/** The provider's charge of a capture, void or authorization (the stored params name it). */
export function providerChargeOf(op: OperationRow): string {
  return (op.params as { provider_charge_id: string }).provider_charge_id;
}

/** The provider's answer as the charge an authorize, capture or void returns. */
export function asCharge(result: ProviderResult): ProviderCharge {
  if (result.object !== 'charge') throw new AppError('INTERNAL', 'the provider returned a refund where a charge was expected');
  return result;
}

/** The provider's answer as the refund a refund returns. */
export function asRefund(result: ProviderResult): ProviderRefund {
  if (result.object !== 'refund') throw new AppError('INTERNAL', 'the provider returned a charge where a refund was expected');
  return result;
}
