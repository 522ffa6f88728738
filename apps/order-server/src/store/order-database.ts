import type { ApprovalTables } from '@mcpfed/approvals';
import type { ColumnType, Generated } from 'kysely';
import type { CaptureMode, OrderStatus, WorkflowStatus } from '@mcpfed/contract-order';

/** A `timestamptz` column read as a Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp column with a database default. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A `bigint` amount: pg reads int8 as a string; written as a number. */
type Amount = ColumnType<string, number | string, number | string>;
/** A `bigint` amount with a database default. */
type DefaultAmount = ColumnType<string, number | string | undefined, number | string>;
/** A `jsonb` column: read parsed, written as JSON text. */
type Json<T> = ColumnType<T, string, string>;

/** `orders`: one order, its money as the order server knows it and its references on the other servers. */
export interface OrdersTable {
  id: string;
  order_number: Generated<string>;
  principal_id: string;
  idempotency_key: string;
  request_hash: string;
  customer_id: string;
  status: OrderStatus;
  version: ColumnType<number, number | undefined, number>;
  capture_mode: CaptureMode;
  currency: string;
  total_amount: Amount;
  amount_authorized: DefaultAmount;
  amount_captured: DefaultAmount;
  refunded_amount: DefaultAmount;
  shipping_address_id: string | null;
  payment_method: string;
  reservation_id: string | null;
  payment_id: string | null;
  failure_reason: string | null;
  failure_message: string | null;
  tracking_carrier: string | null;
  tracking_number: string | null;
  placed_at: DefaultTimestamp;
  confirmed_at: Timestamp | null;
  fulfilled_at: Timestamp | null;
  delivered_at: Timestamp | null;
  cancelled_at: Timestamp | null;
  updated_at: DefaultTimestamp;
  /** The pending order_cancel / order_refund / order_fulfill that owns the order until it finishes (`order_operations.id`). */
  busy_operation_id: ColumnType<string | null, number | string | null | undefined, number | string | null>;
}

/** Where the units of a line are held: a location and a quantity (from the reservation). */
export interface LineAllocation {
  location: string;
  quantity: number;
}

/** `order_lines`: one sku of an order, priced by the product server. */
export interface OrderLinesTable {
  order_id: string;
  line_no: number;
  sku: string;
  quantity: number;
  unit_price: Amount;
  line_total: Amount;
  refunded_quantity: ColumnType<number, number | undefined, number>;
  allocations: ColumnType<LineAllocation[], string | undefined, string>;
}

/** `order_events`: the outbox. */
export interface OrderEventsTable {
  sequence: Generated<string>;
  id: string;
  order_id: string;
  customer_id: string;
  type: string;
  status: OrderStatus;
  snapshot: Json<Record<string, unknown>>;
  occurred_at: DefaultTimestamp;
  published_at: Timestamp | null;
  /** Place in the feed, in commit order: null until the relay's sequencer numbers the committed event. */
  position: ColumnType<string | null, never, number | string>;
  /** When every subscriber's job of the event had finished (the relay stops watching it then). */
  delivered_at: Timestamp | null;
}

/** The latest failure of a saga step. */
export interface StepError {
  code: string;
  message: string;
  step: string;
}

/** `checkout_sagas`: one checkout workflow and its persisted step. */
export interface CheckoutSagasTable {
  order_id: string;
  status: ColumnType<WorkflowStatus, WorkflowStatus | undefined, WorkflowStatus>;
  step: string;
  completed_steps: ColumnType<string[], string[] | undefined, string[]>;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: ColumnType<StepError | null, string | null | undefined, string | null>;
  failure_reason: string | null;
  failure_message: string | null;
  started_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  finished_at: Timestamp | null;
}

/** The stored error of a failed operation (replayed to a retry with the same key). */
export interface OperationFailure {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** The tools that run as claimed operations. */
export type OperationTool = 'order_cancel' | 'order_refund' | 'order_fulfill';

/**
 * `order_operations`: the claims of order_cancel, order_refund and order_fulfill — `pending` from before their
 * first remote call until their local change commits (`succeeded`, with the response) or a refusal that moved
 * nothing (`failed`, with the error).
 */
export interface OrderOperationsTable {
  id: Generated<string>;
  principal_id: string;
  tool: OperationTool;
  idempotency_key: string;
  request_hash: string;
  order_id: string;
  status: ColumnType<'pending' | 'succeeded' | 'failed', 'pending' | undefined, 'succeeded' | 'failed'>;
  /** What the claim decided to do (amounts, lines, payment), so any process can finish it. */
  plan: ColumnType<Record<string, unknown> | null, string | null | undefined, string>;
  response: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  error: ColumnType<OperationFailure | null, string | null | undefined, string | null>;
  /** Until then the claiming call works on it; afterwards a retry with the key or the sweeper may take it over. */
  lease_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  attempts: ColumnType<number, number | undefined, number>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  completed_at: Timestamp | null;
}

/** `checkout_caller_tokens`: the sealed token of the caller a running checkout acts for (migration 0007). */
export interface CheckoutCallerTokensTable {
  order_id: string;
  /** `v1.<iv>.<ciphertext+tag>` (base64url), AES-256-GCM with the order id as additional data. */
  sealed: string;
  /** The token's own `exp`: past it the token is of no use and the worker acts as the order server. */
  expires_at: ColumnType<Date, Date, Date>;
}

/** The order server's own tables, as Kysely sees them. */
export interface OrderDatabase extends ApprovalTables {
  orders: OrdersTable;
  order_lines: OrderLinesTable;
  order_events: OrderEventsTable;
  checkout_sagas: CheckoutSagasTable;
  order_operations: OrderOperationsTable;
  checkout_caller_tokens: CheckoutCallerTokensTable;
}
