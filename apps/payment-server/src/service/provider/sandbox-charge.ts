import { AppError } from '@mcpfed/errors';
import type { ProviderCharge } from './payment-provider.ts';
import type { SandboxChargeRow } from './sandbox-database.ts';

/** A sandbox charge row as the provider answers it. */
export function chargeOf(row: SandboxChargeRow): ProviderCharge {
  return {
    object: 'charge',
    id: row.id,
    status: row.status,
    currency: row.currency,
    amount: Number(row.amount),
    amountCaptured: Number(row.amount_captured),
    amountRefunded: Number(row.amount_refunded),
    declineCode: row.decline_code,
    metadata: row.metadata,
    createdAt: row.created_at.toISOString(),
  };
}

/** The NOT_FOUND of a charge the sandbox does not have. */
export function noCharge(chargeId: string): AppError {
  return new AppError('NOT_FOUND', `The provider has no charge ${chargeId}.`, { details: { provider_charge_id: chargeId } });
}

/** The PRECONDITION_FAILED of an action the charge's state does not allow (stored as the request's refusal). */
export function notAllowed(what: string, charge: SandboxChargeRow): AppError {
  return new AppError('PRECONDITION_FAILED', `The provider cannot ${what}.`, {
    details: { provider_charge_id: charge.id, provider_status: charge.status },
  });
}
