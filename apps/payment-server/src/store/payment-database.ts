import type { ApprovalTables } from '@mcpfed/approvals';
import type { ColumnType, Generated } from 'kysely';
import type { CardBrand, PaymentStatus, RefundReason, RefundStatus, VoidReason } from '@mcpfed/contract-payment';

/** A `timestamptz` column written as a Date or an ISO string, read as a Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp column with a database default. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A `bigint` amount: pg reads int8 as a string; written as a number. */
type Amount = ColumnType<string, number | string, number | string>;
/** A `bigint` amount with a database default. */
type DefaultAmount = ColumnType<string, number | string | undefined, number | string>;
/** A `jsonb` column: read parsed, written as JSON text. */
type Json<T> = ColumnType<T, string, string>;
/** A nullable `jsonb` column, null until set. */
type OptionalJson<T> = ColumnType<T | null, string | undefined, string | null>;

/** `payment_methods`: cards attached to customers (the provider keeps the card; we keep its reference). */
export interface PaymentMethodsTable {
  id: string;
  customer_id: string;
  provider: string;
  provider_method_ref: string;
  /** SHA-256 of the provider token: finds an earlier attachment of the same card without storing the token. */
  token_fingerprint: string;
  brand: CardBrand;
  last4: string;
  exp_month: number;
  exp_year: number;
  created_at: DefaultTimestamp;
}

/** `payments`: one authorization and what happened to it. */
export interface PaymentsTable {
  id: string;
  order_ref: string;
  customer_id: string;
  payment_method_id: string;
  currency: string;
  status: PaymentStatus;
  void_reason: VoidReason | null;
  amount_authorized: Amount;
  amount_captured: DefaultAmount;
  amount_refunded: DefaultAmount;
  amount_refund_pending: DefaultAmount;
  provider: string;
  provider_charge_id: string;
  /** The capture or void operation in progress, if any: other captures and voids wait for it. */
  busy_operation_id: string | null;
  created_by: string;
  created_at: DefaultTimestamp;
  captured_at: Timestamp | null;
  voided_at: Timestamp | null;
  expires_at: Timestamp | null;
  updated_at: DefaultTimestamp;
}

/** `refunds`: refunds of captured payments; `pending` ones are reserved in `payments.amount_refund_pending`. */
export interface RefundsTable {
  id: string;
  payment_id: string;
  amount: Amount;
  currency: string;
  reason: RefundReason;
  status: ColumnType<RefundStatus, RefundStatus | undefined, RefundStatus>;
  failure_code: string | null;
  provider_refund_id: string | null;
  operation_id: string;
  created_by: string;
  created_at: DefaultTimestamp;
  completed_at: Timestamp | null;
}

/** Kinds of ledger transactions. */
export type LedgerTransactionKind = 'authorization' | 'capture' | 'void' | 'expiry' | 'refund';

/** `ledger_transactions`: one per money movement. */
export interface LedgerTransactionsTable {
  id: string;
  payment_id: string;
  kind: LedgerTransactionKind;
  currency: string;
  operation_id: string | null;
  refund_id: string | null;
  posted_at: DefaultTimestamp;
}

/** `ledger_entries`: the debits and credits of a ledger transaction. */
export interface LedgerEntriesTable {
  id: Generated<string>;
  transaction_id: string;
  account: string;
  direction: 'debit' | 'credit';
  amount: Amount;
  currency: string;
}

/** Kinds of money-moving operations. */
export type OperationKind = 'authorize' | 'capture' | 'void' | 'refund';
/** Where an operation is. */
export type OperationStatus = 'pending' | 'succeeded' | 'failed';

/** An operation's stored failure: the error the caller got, replayed for the same key. */
export interface StoredFailure {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** `payment_operations`: idempotency records of authorize, capture, void and refund. */
export interface PaymentOperationsTable {
  id: string;
  principal_id: string;
  kind: OperationKind;
  idempotency_key: string;
  request_hash: string;
  /** The idempotency key sent to the provider, derived from ours: a retry reaches the same provider request. */
  provider_key: string;
  status: ColumnType<OperationStatus, OperationStatus | undefined, OperationStatus>;
  payment_id: string;
  refund_id: string | null;
  amount: ColumnType<string | null, number | null | undefined, number | null>;
  currency: string | null;
  /** What the provider call needs, so a retry or the reconciler can repeat it without the original input. */
  params: Json<Record<string, unknown>>;
  response: OptionalJson<Record<string, unknown>>;
  error: OptionalJson<StoredFailure>;
  /** Minute bucket of `payment_limit_usage` this operation's amount was added to. */
  limit_bucket: Timestamp | null;
  /**
   * The `payment_limit_usage` key the amount was added under (`rateLimitKeyOf` of the principal); null when not limited, and on
   * operations claimed before migration 0006, which counted under `principal_id`.
   */
  limit_key: string | null;
  /** While in the future, a call is working on this pending operation; others must not. */
  lease_expires_at: Timestamp | null;
  attempts: ColumnType<number, number | undefined, number>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  completed_at: Timestamp | null;
}

/** `payment_limit_usage`: per limit key, kind, currency and minute, the amount counted against the daily limit. */
export interface PaymentLimitUsageTable {
  /** The limit key (`rateLimitKeyOf` of the principal: its id; older rows may hold `<service>><caller>`). */
  principal_id: string;
  kind: 'authorize' | 'refund';
  currency: string;
  bucket: Timestamp;
  amount: Amount;
}

/** The payment server's own tables, as Kysely sees them (the sandbox provider's schema is typed in src/provider). */
export interface PaymentDatabase extends ApprovalTables {
  payment_methods: PaymentMethodsTable;
  payments: PaymentsTable;
  refunds: RefundsTable;
  ledger_transactions: LedgerTransactionsTable;
  ledger_entries: LedgerEntriesTable;
  payment_operations: PaymentOperationsTable;
  payment_limit_usage: PaymentLimitUsageTable;
}
