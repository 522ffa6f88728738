import type { ColumnType, Selectable } from 'kysely';
import type { ProviderCharge, ProviderChargeStatus, ProviderRefund } from './payment-provider.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Amount = ColumnType<string, number | string | undefined, number | string>;

/** The stored form of a provider refusal (an AppError's code, message and details). */
export type StoredProviderError = { code: string; message: string; details?: Record<string, unknown> };

/** The sandbox provider's tables (schema `sandbox` of the payment database; migration 0004). */
export type SandboxDatabase = {
  'sandbox.payment_methods': {
    id: string;
    customer_ref: string;
    token: string;
    brand: string;
    last4: string;
    exp_month: number;
    exp_year: number;
    created_at: Timestamp;
  };
  'sandbox.charges': {
    id: string;
    payment_method_id: string;
    behavior: string;
    currency: string;
    amount: Amount;
    amount_captured: Amount;
    amount_refunded: Amount;
    status: ProviderChargeStatus;
    decline_code: string | null;
    metadata: ColumnType<Record<string, string>, string, string>;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  'sandbox.refunds': {
    id: string;
    charge_id: string;
    amount: Amount;
    reason: string;
    created_at: Timestamp;
  };
  'sandbox.requests': {
    idempotency_key: string;
    kind: string;
    request_hash: string;
    response: ColumnType<ProviderCharge | ProviderRefund | null, string | undefined, string>;
    error: ColumnType<StoredProviderError | null, string | undefined, string>;
    created_at: Timestamp;
  };
};

/** A `sandbox.charges` row. */
export type SandboxChargeRow = Selectable<SandboxDatabase['sandbox.charges']>;
