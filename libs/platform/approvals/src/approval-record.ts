/** One line of what a person approves: an item, its quantity and its price (integer minor units). */
export interface ApprovalItem {
  readonly sku: string;
  readonly name: string | null;
  readonly quantity: number;
  readonly unit_amount: number;
  readonly line_amount: number;
}

/** What the approval page shows the person: what will be charged or refunded, to whom, for what. */
export interface ApprovalSummary {
  /** `charge` (an order) or `refund`. */
  readonly action: 'charge' | 'refund';
  /** Integer minor units. */
  readonly amount: number;
  /** ISO 4217. */
  readonly currency: string;
  readonly customer_id: string | null;
  readonly items: readonly ApprovalItem[];
  /** One line naming the operation, e.g. `Order for customer cus_… paid with pm_…`. */
  readonly description: string;
}

/** Stored states; `expired` is derived (a pending or approved row past `expires_at`). */
export type StoredApprovalStatus = 'pending' | 'approved' | 'declined' | 'used';
/** What a caller or the page sees. */
export type ApprovalStatus = StoredApprovalStatus | 'expired';

/** A row of the `approvals` table. */
export interface ApprovalRow {
  id: string;
  operation: string;
  binding: string;
  caller_principal: string;
  caller_subject: string;
  customer_id: string | null;
  summary: ApprovalSummary;
  status: StoredApprovalStatus;
  created_at: Date;
  expires_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
  used_at: Date | null;
}

/** The table, for an app's Kysely database type. */
export interface ApprovalTables {
  approvals: ApprovalRow;
}

/** The status a row has now: a pending or approved row past its expiry is `expired`. */
export function statusOf(row: Pick<ApprovalRow, 'status' | 'expires_at'>, now = new Date()): ApprovalStatus {
  if ((row.status === 'pending' || row.status === 'approved') && row.expires_at.getTime() <= now.getTime()) return 'expired';
  return row.status;
}
