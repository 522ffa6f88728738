import { z } from 'zod';

/** Kinds of order event the order server writes to its outbox (one per state change of an order). */
export const ORDER_EVENT_TYPES = [
  'order.placed',
  'order.confirmed',
  'order.failed',
  'order.cancelled',
  'order.fulfilled',
  'order.delivered',
  'order.refunded',
] as const;

/** One of {@link ORDER_EVENT_TYPES}. */
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

/**
 * The order as it stands after the change an event reports: a snapshot, not a delta, so a consumer that keeps the
 * newest snapshot per order (highest `order_version`) is correct whatever order or how often events arrive.
 */
export const orderSnapshotSchema = z.object({
  order_id: z.string().min(1).max(64),
  customer_id: z.string().min(1).max(64),
  /** The order's status after the change (`pending`, `confirmed`, `failed`, `cancelled`, `fulfilled`, `delivered`, `refunded`, ...). */
  status: z.string().min(1).max(32),
  /** Increases by at least one with every change of the order; a consumer ignores a snapshot not newer than the one it holds. */
  order_version: z.number().int().nonnegative(),
  /**
   * Whether the order counts as a purchase for customer statistics: it was confirmed (paid) at some point.
   * A failed order never counts; a cancelled or refunded order that had been confirmed still counts, with
   * its net amount reduced.
   */
  counted: z.boolean(),
  /** Order total, integer minor units of `currency`. */
  total_amount: z.number().int().nonnegative(),
  /** What the customer keeps paying after refunds and cancellations: total minus refunded, >= 0, integer minor units. */
  net_amount: z.number().int().nonnegative(),
  /** ISO 4217 code, e.g. `EUR`. */
  currency: z.string().regex(/^[A-Z]{3}$/),
  /** When the order was placed (ISO 8601). */
  placed_at: z.iso.datetime({ offset: true }),
});

/** A snapshot of an order (see {@link orderSnapshotSchema}). */
export type OrderSnapshot = z.infer<typeof orderSnapshotSchema>;

/**
 * One order event, as published by the order server's outbox relay (docs/architecture.md §6) and read by `order_events`.
 * Delivery is at least once: consumers must be idempotent by `id`.
 */
export const orderEventSchema = z.object({
  /** Unique, stable event id (`evt_...`); the BullMQ job id of its delivery, so a republish is a no-op. */
  id: z.string().min(1).max(64),
  /** Position in the outbox; strictly increasing in commit order of a single order's events. */
  sequence: z.number().int().positive(),
  type: z.enum(ORDER_EVENT_TYPES),
  /** When the change happened (ISO 8601). */
  occurred_at: z.iso.datetime({ offset: true }),
  order: orderSnapshotSchema,
});

/** One order event (see {@link orderEventSchema}). */
export type OrderEvent = z.infer<typeof orderEventSchema>;

/**
 * Delivery of order events to other domains: the relay adds every outbox event as a job to one BullMQ queue per
 * subscribing domain, named `order-events.<domain>` (e.g. `order-events.customer`), under the key prefix
 * {@link ORDER_EVENTS_QUEUE_PREFIX}, with the event id as job id and the event as job data.
 */
// The hash tag keeps every subscriber's queue in one Redis Cluster slot (BullMQ's scripts touch several keys at once).
export const ORDER_EVENTS_QUEUE_PREFIX = '{mcpfed:events}';

/** The queue name through which `domain` receives order events. */
export function orderEventsQueueName(domain: string): string {
  return `order-events.${domain}`;
}
