import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { InsertObject, Kysely, Selectable, UpdateObject } from 'kysely';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { PaymentStatus } from '@mcpfed/contract-payment';
import type { PaymentDatabase, PaymentsTable, RefundsTable } from './payment-database.ts';

/** A payment with its method's brand and last4 (everything the wire shape needs). */
export type PaymentRow = Selectable<PaymentsTable> & { method_brand: string; method_last4: string };

/** A `refunds` row. */
export type RefundRow = Selectable<RefundsTable>;

/** What {@link PaymentStore.search} looks for. */
export interface PaymentSearchParams {
  orderRef?: string | undefined;
  customerId?: string | undefined;
  status?: PaymentStatus | undefined;
  currency?: string | undefined;
  /** Inclusive lower bound of created_at. */
  createdFrom?: Date | undefined;
  /** Exclusive upper bound of created_at. */
  createdTo?: Date | undefined;
  sort: 'created_at_desc' | 'created_at_asc';
  /** Rows per page, 1-100. */
  limit: number;
  cursor?: string | undefined;
}

const PAYMENT_COLUMNS = [
  'p.id',
  'p.order_ref',
  'p.customer_id',
  'p.payment_method_id',
  'p.currency',
  'p.status',
  'p.void_reason',
  'p.amount_authorized',
  'p.amount_captured',
  'p.amount_refunded',
  'p.amount_refund_pending',
  'p.provider',
  'p.provider_charge_id',
  'p.busy_operation_id',
  'p.created_by',
  'p.created_at',
  'p.captured_at',
  'p.voided_at',
  'p.expires_at',
  'p.updated_at',
] as const;

const cursorShape = z.strictObject({ q: z.string().max(16), t: z.iso.datetime(), id: z.string().max(40) });

/** Repository of `payments` and `refunds`. */
export class PaymentStore {
  readonly #db: Kysely<PaymentDatabase>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<PaymentDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  #withMethod() {
    return this.#db
      .selectFrom('payments as p')
      .innerJoin('payment_methods as m', 'm.id', 'p.payment_method_id')
      .select(PAYMENT_COLUMNS)
      .select(['m.brand as method_brand', 'm.last4 as method_last4']);
  }

  /** A payment by id. */
  async find(id: string): Promise<PaymentRow | undefined> {
    return this.#withMethod().where('p.id', '=', id).executeTakeFirst({ signal: this.#signal });
  }

  /** Payments by provider charge id. */
  async findByCharges(provider: string, chargeIds: readonly string[]): Promise<PaymentRow[]> {
    if (chargeIds.length === 0) return [];
    return this.#withMethod()
      .where('p.provider', '=', provider)
      .where('p.provider_charge_id', 'in', [...chargeIds])
      .execute({ signal: this.#signal });
  }

  /** The payment row, locked until the transaction ends (`FOR UPDATE OF p`). */
  async lock(id: string): Promise<PaymentRow | undefined> {
    return this.#withMethod().where('p.id', '=', id).forUpdate('p').executeTakeFirst({ signal: this.#signal });
  }

  /** Inserts a payment and returns it with its method's brand and last4. */
  async insert(values: InsertObject<PaymentDatabase, 'payments'>, method: { brand: string; last4: string }): Promise<PaymentRow> {
    const row = await this.#db.insertInto('payments').values(values).returningAll().executeTakeFirstOrThrow({ signal: this.#signal });
    return { ...row, method_brand: method.brand, method_last4: method.last4 };
  }

  /**
   * Applies a change (stamping updated_at) to a payment locked with {@link lock} and returns it, in one statement
   * (the method's brand and last4 come from the locked row: attached methods never change).
   */
  async update(locked: PaymentRow, patch: UpdateObject<PaymentDatabase, 'payments'>): Promise<PaymentRow> {
    const row = await this.#db
      .updateTable('payments')
      .set({ ...patch, updated_at: sql<Date>`now()` })
      .where('id', '=', locked.id)
      .returningAll()
      .executeTakeFirst({ signal: this.#signal });
    if (row === undefined) throw new AppError('INTERNAL', `payment ${locked.id} vanished during an update`);
    return { ...row, method_brand: locked.method_brand, method_last4: locked.method_last4 };
  }

  /** Marks the capture or void operation working on the payment. Call after {@link lock}. */
  async setBusy(id: string, operationId: string): Promise<void> {
    await this.#db
      .updateTable('payments')
      .set({ busy_operation_id: operationId, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute({ signal: this.#signal });
  }

  /** Clears the busy marker if this operation set it. */
  async clearBusy(id: string, operationId: string): Promise<void> {
    await this.#db
      .updateTable('payments')
      .set({ busy_operation_id: null, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('busy_operation_id', '=', operationId)
      .execute({ signal: this.#signal });
  }

  /** Adds to (or, negative, takes from) the amount reserved by refunds in progress. Call after {@link lock}. */
  async addRefundPending(id: string, amount: number): Promise<void> {
    await this.#db
      .updateTable('payments')
      .set({ amount_refund_pending: sql<string>`amount_refund_pending + ${amount}::bigint`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute({ signal: this.#signal });
  }

  /** Uncaptured authorizations past their expiry that no capture or void is working on. */
  async expiredAuthorizations(limit: number): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('payments')
      .select('id')
      .where('status', '=', 'authorized')
      .where('expires_at', '<=', sql<Date>`now()`)
      .where('busy_operation_id', 'is', null)
      .orderBy('expires_at')
      .limit(limit)
      .execute({ signal: this.#signal });
    return rows.map((row) => row.id);
  }

  /** Payments of an order or created in a window, oldest first, at most `limit`. */
  async inScope(scope: { orderRef: string } | { from: Date; to: Date }, limit: number): Promise<PaymentRow[]> {
    return this.#withMethod()
      .$if('orderRef' in scope, (qb) => qb.where('p.order_ref', '=', (scope as { orderRef: string }).orderRef))
      .$if('from' in scope, (qb) => qb.where('p.created_at', '>=', (scope as { from: Date }).from).where('p.created_at', '<', (scope as { to: Date }).to))
      .orderBy('p.created_at')
      .orderBy('p.id')
      .limit(limit)
      .execute({ signal: this.#signal });
  }

  /** One page of a search, by keyset on (created_at, id); the cursor is bound to the filter and sort. */
  async search(params: PaymentSearchParams): Promise<{ rows: PaymentRow[]; nextCursor: string | null }> {
    const fingerprint = createHash('sha256')
      .update(
        JSON.stringify([
          params.orderRef ?? null,
          params.customerId ?? null,
          params.status ?? null,
          params.currency ?? null,
          params.createdFrom?.toISOString() ?? null,
          params.createdTo?.toISOString() ?? null,
          params.sort,
        ]),
      )
      .digest('base64url')
      .slice(0, 16);
    const after = params.cursor === undefined ? undefined : decodeCursor(params.cursor, cursorShape);
    if (after !== undefined && after.q !== fingerprint) {
      throw new AppError('VALIDATION_FAILED', 'cursor belongs to another filter or sort; request the first page again without a cursor.', {
        details: { field: 'cursor' },
      });
    }
    const desc = params.sort === 'created_at_desc';
    const rows = await this.#withMethod()
      .$if(params.orderRef !== undefined, (qb) => qb.where('p.order_ref', '=', params.orderRef as string))
      .$if(params.customerId !== undefined, (qb) => qb.where('p.customer_id', '=', params.customerId as string))
      .$if(params.status !== undefined, (qb) => qb.where('p.status', '=', params.status as PaymentStatus))
      .$if(params.currency !== undefined, (qb) => qb.where('p.currency', '=', params.currency as string))
      .$if(params.createdFrom !== undefined, (qb) => qb.where('p.created_at', '>=', params.createdFrom as Date))
      .$if(params.createdTo !== undefined, (qb) => qb.where('p.created_at', '<', params.createdTo as Date))
      .$if(after !== undefined, (qb) =>
        qb.where((eb) =>
          eb(eb.refTuple('p.created_at', 'p.id'), desc ? '<' : '>', eb.tuple(new Date((after as { t: string }).t), (after as { id: string }).id)),
        ),
      )
      .orderBy('p.created_at', desc ? 'desc' : 'asc')
      .orderBy('p.id', desc ? 'desc' : 'asc')
      .limit(params.limit + 1)
      .execute({ signal: this.#signal });
    const more = rows.length > params.limit;
    const visible = more ? rows.slice(0, params.limit) : rows;
    const last = visible.at(-1);
    return {
      rows: visible,
      nextCursor: more && last !== undefined ? encodeCursor({ q: fingerprint, t: last.created_at.toISOString(), id: last.id }) : null,
    };
  }

  /** The latest refunds of a payment, newest first, and how many it has in total. */
  async refunds(paymentId: string, limit: number): Promise<{ rows: RefundRow[]; count: number }> {
    const [rows, count] = await Promise.all([
      this.#db
        .selectFrom('refunds')
        .selectAll()
        .where('payment_id', '=', paymentId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute({ signal: this.#signal }),
      this.#db
        .selectFrom('refunds')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('payment_id', '=', paymentId)
        .executeTakeFirstOrThrow({ signal: this.#signal }),
    ]);
    return { rows, count: Number(count.n) };
  }

  /** Inserts a refund. */
  async insertRefund(values: InsertObject<PaymentDatabase, 'refunds'>): Promise<RefundRow> {
    return this.#db.insertInto('refunds').values(values).returningAll().executeTakeFirstOrThrow({ signal: this.#signal });
  }

  /** Sets a refund's outcome. */
  async finishRefund(id: string, outcome: { status: 'succeeded'; providerRefundId: string } | { status: 'failed'; failureCode: string }): Promise<RefundRow> {
    return this.#db
      .updateTable('refunds')
      .set(
        outcome.status === 'succeeded'
          ? { status: 'succeeded', provider_refund_id: outcome.providerRefundId, completed_at: sql<Date>`now()` }
          : { status: 'failed', failure_code: outcome.failureCode, completed_at: sql<Date>`now()` },
      )
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow({ signal: this.#signal });
  }

  /** Deletes a pending refund that never reached the provider. */
  async deleteRefund(id: string): Promise<void> {
    await this.#db.deleteFrom('refunds').where('id', '=', id).where('status', '=', 'pending').execute({ signal: this.#signal });
  }

  /** Payments created in a window, summed by currency and status. */
  async totals(from: Date, to: Date, currency: string | undefined) {
    return this.#db
      .selectFrom('payments')
      .select((eb) => [
        'currency',
        'status',
        eb.fn.countAll<string>().as('count'),
        sql<string>`sum(amount_authorized)`.as('authorized'),
        sql<string>`sum(amount_captured)`.as('captured'),
        sql<string>`sum(amount_refunded)`.as('refunded'),
      ])
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .$if(currency !== undefined, (qb) => qb.where('currency', '=', currency as string))
      .groupBy(['currency', 'status'])
      .orderBy('currency')
      .orderBy('status')
      .execute({ signal: this.#signal });
  }
}
