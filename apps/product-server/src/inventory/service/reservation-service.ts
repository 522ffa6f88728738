import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import { newId } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { inventoryCommit, inventoryRelease, inventoryReserve } from '@mcpfed/contract-product';
import type { InventoryTables } from '../store/inventory-tables.ts';
import { LevelStore } from '../store/level-store.ts';
import { ProductPriceStore } from '../store/product-price-store.ts';
import { ReservationStore } from '../store/reservation-store.ts';
import type { LockedReservation, ReservationKey, ReservationWithLines } from '../store/reservation-store.ts';
import { allocateLines, mergeDemands } from './allocate-lines.ts';
import type { Demand } from './allocate-lines.ts';
import { reservationView } from './inventory-views.ts';
import type { ReservationOutput } from './inventory-views.ts';
import { withinTransaction } from '../../store/within-transaction.ts';

/** What the inventory's rules read of a request: who acts (ledger rows, reservations' creator) and the abort signal. */
type InventoryCall = Pick<RequestContext, 'principal' | 'signal'>;

/**
 * Schedules the expiry of a new reservation (a delayed BullMQ job in production). It must not throw for a
 * scheduling problem it can survive: the sweeper expires reservations whose job never ran.
 */
export interface ReservationExpiryScheduler {
  /** Arranges for `expire(reservationId)` to run after `delayMs` milliseconds. Idempotent per reservation. */
  schedule(reservationId: string, delayMs: number): Promise<void>;
}

/** What {@link ReservationService.expire} did. */
export type ExpiryOutcome = 'expired' | 'final' | 'missing' | 'not_due';

/**
 * Reservations: reserve (all lines or none, priced by the catalog), commit, release and expire. Every transition
 * locks the reservation row first and its level rows in (sku, location) order, so exactly one of commit, release
 * and expiry wins and concurrent calls cannot deadlock.
 */
export class ReservationService {
  readonly #db: Kysely<InventoryTables>;
  readonly #scheduler: ReservationExpiryScheduler | undefined;

  constructor(db: Kysely<InventoryTables>, scheduler?: ReservationExpiryScheduler) {
    this.#db = db;
    this.#scheduler = scheduler;
  }

  /**
   * inventory_reserve. One reservation per order reference: a repeat with the same lines returns it
   * (replayed: true); other lines are IDEMPOTENCY_KEY_REUSED. Insufficient stock is PRECONDITION_FAILED with
   * requested vs available per line, and nothing is reserved.
   */
  async reserve(input: ContractInput<typeof inventoryReserve>, ctx: InventoryCall): Promise<ContractOutput<typeof inventoryReserve>> {
    const demands = mergeDemands(input.lines);
    const requestHash = createHash('sha256').update(JSON.stringify(demands)).digest('hex');
    return withinTransaction(this.#db, async (db) => {
      const reservations = new ReservationStore(db, ctx.signal);
      const existing = await reservations.find({ orderReference: input.order_reference });
      if (existing !== undefined) return this.#replay(existing, requestHash);

      const skus = [...new Set(demands.map((d) => d.sku))];
      const priced = await this.#prices(db, skus, demands, ctx);
      const id = newId('rsv');
      const claimed = await reservations.claim({
        id,
        order_reference: input.order_reference,
        request_hash: requestHash,
        currency: priced.currency,
        total_amount: priced.total,
        ttlSeconds: input.ttl_seconds,
        created_by: ctx.principal.id,
      });
      if (!claimed) {
        // A concurrent reserve of the same order reference committed first.
        const winner = await reservations.find({ orderReference: input.order_reference });
        if (winner === undefined)
          throw new AppError('CONFLICT', 'The order reference is being reserved by a concurrent call; retry shortly.', { retryable: true });
        return this.#replay(winner, requestHash);
      }
      // Scheduled before the level locks are taken, so a slow queue never holds up other reservations of the
      // same skus; a job for a reservation that then fails finds nothing to expire.
      await this.#scheduler?.schedule(id, input.ttl_seconds * 1000);

      const levels = new LevelStore(db, ctx.signal);
      const locked = await levels.lockSkus(skus);
      const allocation = allocateLines(demands, locked);
      if (!allocation.ok) {
        const short = allocation.lines.filter((line) => line.available < line.requested);
        throw new AppError(
          'PRECONDITION_FAILED',
          `Not enough stock for ${short.map((l) => `${l.sku}${l.location === null ? '' : ` at ${l.location}`} (requested ${l.requested}, available ${l.available})`).join(', ')}. Nothing was reserved; reduce the quantities or drop those lines and reserve again.`,
          { details: { reason: 'insufficient_stock', lines: allocation.lines } },
        );
      }
      await levels.apply(
        allocation.allocations.map((a) => ({ sku: a.sku, location: a.location, deltaOnHand: 0, deltaReserved: a.quantity })),
        { kind: 'reserve', actor: ctx.principal.id, reservationId: id, reference: input.order_reference },
      );
      await reservations.insertLines(
        allocation.allocations.map((a) => ({
          reservation_id: id,
          sku: a.sku,
          location: a.location,
          quantity: a.quantity,
          unit_price_amount: String(priced.unitPrice.get(a.sku) ?? 0),
          currency: priced.currency,
        })),
      );
      return { reservation: await this.#view(db, { id }, ctx), replayed: false };
    });
  }

  /** inventory_commit: active -> committed, the units leave stock. A second commit is a no-op (changed: false). */
  async commit(input: ContractInput<typeof inventoryCommit>, ctx: InventoryCall): Promise<ContractOutput<typeof inventoryCommit>> {
    return withinTransaction(this.#db, async (db) => {
      const reservation = await this.#lock(db, keyOf(input), ctx);
      if (reservation.status === 'committed') return { reservation: await this.#view(db, { id: reservation.id }, ctx), changed: false, replayed: false };
      if (reservation.status !== 'active') throw finalError(reservation, 'commit');
      if (reservation.past_ttl) {
        throw new AppError(
          'PRECONDITION_FAILED',
          `Reservation ${reservation.id} expired at ${reservation.expires_at.toISOString()}; its stock is no longer held. Reserve again with a new order reference, or cancel the order.`,
          { details: { reason: 'reservation_expired', reservation_id: reservation.id, status: 'expired', expires_at: reservation.expires_at.toISOString() } },
        );
      }
      await this.#finish(db, reservation, 'committed', ctx);
      return { reservation: await this.#view(db, { id: reservation.id }, ctx), changed: true, replayed: false };
    });
  }

  /** inventory_release: active -> released, the units are available again. Released or expired: a no-op. */
  async release(input: ContractInput<typeof inventoryRelease>, ctx: InventoryCall): Promise<ContractOutput<typeof inventoryRelease>> {
    return withinTransaction(this.#db, async (db) => {
      const reservation = await this.#lock(db, keyOf(input), ctx);
      if (reservation.status === 'released' || reservation.status === 'expired') {
        return { reservation: await this.#view(db, { id: reservation.id }, ctx), changed: false, replayed: false };
      }
      if (reservation.status !== 'active') throw finalError(reservation, 'release');
      await this.#finish(db, reservation, 'released', ctx);
      return { reservation: await this.#view(db, { id: reservation.id }, ctx), changed: true, replayed: false };
    });
  }

  /**
   * Expires an active reservation whose TTL has passed (the expiry job and the sweeper). Idempotent with commit
   * and release: whatever ended the reservation first wins and this is a no-op (`final`). `not_due` when the
   * TTL has not passed yet by the database clock (a job that ran early is retried). The ledger rows name
   * `ctx.principal.id` as actor: the expiry's system principal (`system:reservation-expiry`).
   */
  async expire(reservationId: string, ctx: InventoryCall): Promise<ExpiryOutcome> {
    return withinTransaction(this.#db, async (db) => {
      const reservation = await new ReservationStore(db, ctx.signal).lock({ id: reservationId });
      if (reservation === undefined) return 'missing';
      if (reservation.status !== 'active') return 'final';
      if (!reservation.due) return 'not_due';
      await this.#finish(db, reservation, 'expired', ctx);
      return 'expired';
    });
  }

  /** Expires up to `limit` active reservations whose TTL passed more than `graceMs` ago; returns how many. */
  async expireOverdue(graceMs: number, limit: number, ctx: InventoryCall): Promise<{ examined: number; expired: number }> {
    const ids = await new ReservationStore(this.#db, ctx.signal).overdue(graceMs, limit);
    let expired = 0;
    for (const id of ids) if ((await this.expire(id, ctx)) === 'expired') expired++;
    return { examined: ids.length, expired };
  }

  async #prices(db: Kysely<InventoryTables>, skus: string[], demands: readonly Demand[], ctx: InventoryCall) {
    const products = await new ProductPriceStore(db, ctx.signal).find(skus);
    const unknown = skus.filter((sku) => !products.has(sku));
    if (unknown.length > 0) {
      throw new AppError('NOT_FOUND', `These SKUs are not in the catalog: ${unknown.join(', ')}. Check them with the catalog search.`, {
        details: { skus: unknown },
      });
    }
    const inactive = [...products.values()].filter((p) => p.status !== 'active');
    if (inactive.length > 0) {
      throw new AppError(
        'PRECONDITION_FAILED',
        `These products are not for sale (not active): ${inactive.map((p) => `${p.sku} (${p.status})`).join(', ')}. Remove them from the order.`,
        {
          details: { reason: 'product_not_active', products: inactive.map((p) => ({ sku: p.sku, status: p.status })) },
        },
      );
    }
    const currencies = [...new Set([...products.values()].map((p) => p.currency))].sort();
    const currency = currencies[0];
    if (currency === undefined || currencies.length > 1) {
      throw new AppError(
        'PRECONDITION_FAILED',
        `The products are priced in different currencies (${currencies.join(', ')}); one order takes one currency. Split the order by currency.`,
        {
          details: { reason: 'mixed_currencies', currencies },
        },
      );
    }
    const unitPrice = new Map([...products.values()].map((p) => [p.sku, p.price_amount]));
    const total = demands.reduce((sum, d) => sum + (unitPrice.get(d.sku) ?? 0) * d.quantity, 0);
    return { currency, unitPrice, total };
  }

  async #replay(existing: ReservationWithLines, requestHash: string): Promise<ContractOutput<typeof inventoryReserve>> {
    if (existing.request_hash !== requestHash) {
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        `Order reference "${existing.order_reference}" already has reservation ${existing.id} with other lines. A reservation cannot change: release it and reserve with a new order reference, or resend the original lines to get it back.`,
        { details: { order_reference: existing.order_reference, reservation_id: existing.id, status: existing.status } },
      );
    }
    return { reservation: reservationView(existing), replayed: true };
  }

  async #lock(db: Kysely<InventoryTables>, key: ReservationKey, ctx: InventoryCall): Promise<LockedReservation> {
    const reservation = await new ReservationStore(db, ctx.signal).lock(key);
    if (reservation === undefined) {
      const what = 'id' in key ? `id ${key.id}` : `order reference "${key.orderReference}"`;
      throw new AppError('NOT_FOUND', `No reservation has ${what}; nothing is held for it.`, {
        details: 'id' in key ? { reservation_id: key.id } : { order_reference: key.orderReference },
      });
    }
    return reservation;
  }

  /** Ends a locked active reservation: its levels change in (sku, location) order with one ledger row each. */
  async #finish(db: Kysely<InventoryTables>, reservation: LockedReservation, status: 'committed' | 'released' | 'expired', ctx: InventoryCall): Promise<void> {
    const reservations = new ReservationStore(db, ctx.signal);
    const lines = await reservations.lines(reservation.id);
    const levels = new LevelStore(db, ctx.signal);
    await levels.lockLevels(lines);
    const kind = status === 'committed' ? 'commit' : status === 'released' ? 'release' : 'expire';
    await levels.apply(
      lines.map((line) => ({
        sku: line.sku,
        location: line.location,
        deltaOnHand: status === 'committed' ? -line.quantity : 0,
        deltaReserved: -line.quantity,
      })),
      { kind, actor: ctx.principal.id, reservationId: reservation.id, reference: reservation.order_reference },
    );
    await reservations.finish(reservation.id, status);
  }

  async #view(db: Kysely<InventoryTables>, key: ReservationKey, ctx: InventoryCall): Promise<ReservationOutput> {
    const row = await new ReservationStore(db, ctx.signal).find(key);
    if (row === undefined) throw new AppError('INTERNAL', 'reservation vanished inside its transaction');
    return reservationView(row);
  }
}

function keyOf(input: { reservation_id?: string | undefined; order_reference?: string | undefined }): ReservationKey {
  if (input.reservation_id !== undefined) return { id: input.reservation_id };
  if (input.order_reference !== undefined) return { orderReference: input.order_reference };
  throw new AppError('VALIDATION_FAILED', 'Give exactly one of reservation_id and order_reference.', {
    details: { issues: [{ path: 'reservation_id', message: 'give exactly one of reservation_id and order_reference' }] },
  });
}

function finalError(reservation: LockedReservation, action: 'commit' | 'release'): AppError {
  const hint =
    action === 'commit'
      ? 'Its stock is no longer held: reserve again with a new order reference, or cancel the order.'
      : 'The goods are sold; put returned goods back with inventory_adjust reason "returned".';
  return new AppError(
    'PRECONDITION_FAILED',
    `Reservation ${reservation.id} is already ${reservation.status}; it cannot be ${action === 'commit' ? 'committed' : 'released'}. ${hint}`,
    {
      details: { reason: 'reservation_final', reservation_id: reservation.id, status: reservation.status },
    },
  );
}
