import type { z } from 'zod';
import type { addressSchema, customerSchema, customerSummarySchema, noteSchema, timelineEventSchema } from '@mcpfed/contract-customer';
import type { AddressRow } from '../store/address-store.ts';
import type { CustomerSummaryRow } from '../store/customer-search-store.ts';
import type { CustomerProfileRow } from '../store/customer-store.ts';
import type { EventRow } from '../store/event-store.ts';
import type { NoteRow } from '../store/note-store.ts';
import { maskEmail, maskLine, maskPhone, maskPostalCode } from './masking.ts';

/** The wire shape of a customer (customer_get, the customer:// resource, write results). */
export type CustomerOutput = z.input<typeof customerSchema>;
/** The wire shape of an address. */
export type AddressOutput = z.input<typeof addressSchema>;
/** The wire shape of a search hit. */
export type CustomerSummaryOutput = z.input<typeof customerSummarySchema>;
/** The wire shape of a timeline event. */
export type TimelineEventOutput = z.input<typeof timelineEventSchema>;
/** The wire shape of a note. */
export type NoteOutput = z.input<typeof noteSchema>;

/** An address as the caller may see it. */
export function addressView(row: AddressRow, canSeePii: boolean): AddressOutput {
  return {
    id: row.id,
    kind: row.kind,
    is_default: row.is_default,
    recipient_name: row.recipient_name,
    line1: canSeePii ? row.line1 : maskLine(row.line1),
    line2: row.line2 === null ? null : canSeePii ? row.line2 : maskLine(row.line2),
    city: row.city,
    region: row.region,
    postal_code: canSeePii ? row.postal_code : maskPostalCode(row.postal_code),
    country: row.country,
    created_at: row.created_at.toISOString(),
  };
}

/** A customer profile as the caller may see it. */
export function customerView(row: CustomerProfileRow, canSeePii: boolean): CustomerOutput {
  return {
    id: row.id,
    email: visibleEmail(row.email, canSeePii),
    first_name: row.first_name,
    last_name: row.last_name,
    phone: row.phone === null ? null : canSeePii ? row.phone : maskPhone(row.phone),
    tier: row.tier,
    status: row.status,
    status_reason: row.status_reason,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    anonymized_at: row.anonymized_at?.toISOString() ?? null,
    pii_masked: !canSeePii,
    addresses: row.addresses.map((address) => addressView(address, canSeePii)),
    order_stats: {
      order_count: row.order_stats.order_count,
      lifetime_value: { amount: row.order_stats.lifetime_value_amount, currency: row.order_stats.currency },
      last_order_at: row.order_stats.last_order_at?.toISOString() ?? null,
    },
  };
}

/** A search hit as the caller may see it; relevance rounded to 4 decimals. */
export function summaryView(row: CustomerSummaryRow, canSeePii: boolean): CustomerSummaryOutput {
  return {
    id: row.id,
    email: visibleEmail(row.email, canSeePii),
    first_name: row.first_name,
    last_name: row.last_name,
    tier: row.tier,
    status: row.status,
    created_at: row.created_at.toISOString(),
    relevance: row.score === null ? null : Math.round(row.score * 10_000) / 10_000,
    pii_masked: !canSeePii,
  };
}

/** A note (notes are not masked: staff need them, and they must not hold contact data). */
export function noteView(row: NoteRow): NoteOutput {
  return { id: row.id, body: row.body, author: row.author, created_at: row.created_at.toISOString() };
}

/** A timeline event with a one-line summary for a human. */
export function eventView(row: EventRow): TimelineEventOutput {
  return {
    id: row.id,
    type: row.type,
    occurred_at: row.occurred_at.toISOString(),
    actor: row.actor,
    summary: eventSummary(row.type, row.data),
    data: row.data,
  };
}

function visibleEmail(email: string | null, canSeePii: boolean): string | null {
  return email === null ? null : canSeePii ? email : maskEmail(email);
}

function eventSummary(type: string, data: Record<string, unknown>): string {
  const reason = typeof data['reason'] === 'string' ? `: ${data['reason']}` : '';
  switch (type) {
    case 'customer.created':
      return `Customer created (tier ${String(data['tier'] ?? 'standard')})`;
    case 'customer.updated':
      return `Profile updated: ${Array.isArray(data['fields']) ? data['fields'].join(', ') : 'fields'}`;
    case 'customer.status_changed':
      return `Status changed from ${String(data['from'])} to ${String(data['to'])}${reason}`;
    case 'customer.address_added':
      return `${capitalize(String(data['kind'] ?? ''))} address added (${String(data['country'] ?? '?')})`;
    case 'customer.address_removed':
      return `${capitalize(String(data['kind'] ?? ''))} address removed`;
    case 'customer.note_added':
      return 'Note added';
    case 'customer.anonymized':
      return `Personal data erased${reason}`;
    default:
      return type;
  }
}

function capitalize(word: string): string {
  return word.length === 0 ? 'An' : `${word[0]?.toUpperCase()}${word.slice(1)}`;
}
