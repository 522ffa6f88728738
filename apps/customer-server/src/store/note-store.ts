import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { CustomerDatabase, CustomerNotesTable } from './customer-database.ts';
import type { ExportPageQuery, ExportPosition } from './event-store.ts';

/** A `customer_notes` row. */
export type NoteRow = Selectable<CustomerNotesTable>;

/** Repository of `customer_notes`. */
export class NoteStore {
  readonly #db: Kysely<CustomerDatabase>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<CustomerDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /** Inserts a note. */
  async insert(note: { id: string; customer_id: string; body: string; author: string }): Promise<NoteRow> {
    return this.#db.insertInto('customer_notes').values(note).returningAll().executeTakeFirstOrThrow({ signal: this.#signal });
  }

  /** A page of a customer's notes for the export: created at or before `asOf`, oldest first, after `after`, at most `limit`. */
  async exportPage(customerId: string, page: ExportPageQuery): Promise<NoteRow[]> {
    const after = page.after;
    return this.#db
      .selectFrom('customer_notes')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('created_at', '<=', page.asOf)
      .$if(after !== undefined, (qb) =>
        qb.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple((after as ExportPosition).at, (after as ExportPosition).id))),
      )
      .orderBy('created_at')
      .orderBy('id')
      .limit(page.limit)
      .execute({ signal: this.#signal });
  }

  /** The newest notes of a customer, newest first. */
  async latest(customerId: string, limit: number): Promise<NoteRow[]> {
    return this.#db
      .selectFrom('customer_notes')
      .selectAll()
      .where('customer_id', '=', customerId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute({ signal: this.#signal });
  }

  /** How many notes of a customer still hold text. */
  async countWithText(customerId: string): Promise<number> {
    const row = await this.#db
      .selectFrom('customer_notes')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('customer_id', '=', customerId)
      .where('body', 'is not', null)
      .executeTakeFirstOrThrow({ signal: this.#signal });
    return Number(row.n);
  }

  /** Erases the text of every note of a customer, keeping the rows (author, time); returns how many. */
  async eraseForCustomer(customerId: string): Promise<number> {
    const result = await this.#db
      .updateTable('customer_notes')
      .set({ body: null, erased_at: sql<Date>`now()` })
      .where('customer_id', '=', customerId)
      .where('body', 'is not', null)
      .executeTakeFirst({ signal: this.#signal });
    return Number(result.numUpdatedRows);
  }
}
