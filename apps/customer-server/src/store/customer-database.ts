import type { ColumnType, Generated, GeneratedAlways } from 'kysely';
import type { AddressKind, CustomerStatus, CustomerTier } from '@mcpfed/contract-customer';

/** A `timestamptz(3)` column: read as a Date, written as a Date (or an ISO string). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp column with a database default. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** `customers`: one row per customer. Personal columns are null once anonymized. */
export interface CustomersTable {
  id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  tier: CustomerTier;
  status: ColumnType<CustomerStatus, CustomerStatus | undefined, CustomerStatus>;
  status_reason: string | null;
  version: Generated<number>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  anonymized_at: Timestamp | null;
  /** lower("first last"), trigram-indexed for search. */
  search_name: GeneratedAlways<string>;
  /** Each word of search_name with its letters sorted, trigram-indexed: makes transposition typos match. */
  name_key: GeneratedAlways<string>;
  /** lower("last first"), the name_asc sort key. */
  sort_name: GeneratedAlways<string>;
}

/** `addresses`: a customer's postal addresses. */
export interface AddressesTable {
  id: string;
  customer_id: string;
  kind: AddressKind;
  is_default: boolean;
  recipient_name: string | null;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postal_code: string;
  country: string;
  created_at: DefaultTimestamp;
}

/** `customer_notes`: staff notes; body is null once erased. */
export interface CustomerNotesTable {
  id: string;
  customer_id: string;
  body: string | null;
  author: string;
  created_at: DefaultTimestamp;
  erased_at: Timestamp | null;
}

/** `customer_events`: the timeline, written in the same transaction as each change. */
export interface CustomerEventsTable {
  id: string;
  customer_id: string;
  type: string;
  occurred_at: DefaultTimestamp;
  actor: string;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
}

/** `customer_order_stats`: projection of the order domain's events; no row means no orders yet. */
export interface CustomerOrderStatsTable {
  customer_id: string;
  order_count: number;
  /** bigint: read as a string by pg. */
  lifetime_value_amount: ColumnType<string, number | bigint | string, number | bigint | string>;
  currency: string;
  last_order_at: Timestamp | null;
  updated_at: DefaultTimestamp;
}

/** `customer_order_snapshots`: the newest snapshot of each order, from the order domain's events. */
export interface CustomerOrderSnapshotsTable {
  order_id: string;
  customer_id: string;
  status: string;
  order_version: number;
  counted: boolean;
  /** bigint: read as a string by pg. */
  total_amount: ColumnType<string, number | bigint | string, number | bigint | string>;
  /** bigint: read as a string by pg. */
  net_amount: ColumnType<string, number | bigint | string, number | bigint | string>;
  currency: string;
  placed_at: Timestamp;
  event_id: string;
  /** bigint: read as a string by pg. */
  event_sequence: ColumnType<string, number | bigint | string, number | bigint | string>;
  updated_at: DefaultTimestamp;
}

/** The customer server's database, as Kysely sees it (the runtime's own tables are not used here). */
export interface CustomerDatabase {
  customers: CustomersTable;
  addresses: AddressesTable;
  customer_notes: CustomerNotesTable;
  customer_events: CustomerEventsTable;
  customer_order_stats: CustomerOrderStatsTable;
  customer_order_snapshots: CustomerOrderSnapshotsTable;
}
