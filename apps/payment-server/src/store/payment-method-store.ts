import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '@mcpfed/db';
import type { PaymentDatabase, PaymentMethodsTable } from './payment-database.ts';

/** A `payment_methods` row. */
export type PaymentMethodRow = Selectable<PaymentMethodsTable>;

/** Values of a new payment method. */
export type NewPaymentMethodRow = Omit<PaymentMethodRow, 'created_at'>;

const cursorShape = z.strictObject({ t: z.iso.datetime(), id: z.string().max(40) });

/** Repository of `payment_methods`. */
export class PaymentMethodStore {
  readonly #db: Kysely<PaymentDatabase>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<PaymentDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /** A method by id. */
  async find(id: string): Promise<PaymentMethodRow | undefined> {
    return this.#db.selectFrom('payment_methods').selectAll().where('id', '=', id).executeTakeFirst({ signal: this.#signal });
  }

  /** The customer's method made from the token with this fingerprint, if it was attached before. */
  async findByFingerprint(customerId: string, provider: string, fingerprint: string): Promise<PaymentMethodRow | undefined> {
    return this.#db
      .selectFrom('payment_methods')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('provider', '=', provider)
      .where('token_fingerprint', '=', fingerprint)
      .executeTakeFirst({ signal: this.#signal });
  }

  /** Inserts a method unless the same token is already attached to the customer (then returns undefined). */
  async insert(values: NewPaymentMethodRow): Promise<PaymentMethodRow | undefined> {
    return this.#db
      .insertInto('payment_methods')
      .values(values)
      .onConflict((oc) => oc.constraint('payment_methods_one_per_token').doNothing())
      .returningAll()
      .executeTakeFirst({ signal: this.#signal });
  }

  /** A page of a customer's methods, newest first, by keyset. */
  async page(customerId: string, limit: number, cursor: string | undefined): Promise<{ rows: PaymentMethodRow[]; nextCursor: string | null }> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor, cursorShape);
    const rows = await this.#db
      .selectFrom('payment_methods')
      .selectAll()
      .where('customer_id', '=', customerId)
      .$if(after !== undefined, (qb) =>
        qb.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(new Date((after as { t: string }).t), (after as { id: string }).id))),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute({ signal: this.#signal });
    const more = rows.length > limit;
    const visible = more ? rows.slice(0, limit) : rows;
    const last = visible.at(-1);
    return { rows: visible, nextCursor: more && last !== undefined ? encodeCursor({ t: last.created_at.toISOString(), id: last.id }) : null };
  }
}
