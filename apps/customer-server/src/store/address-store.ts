import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { AddressKind } from '@mcpfed/contract-customer';
import type { AddressesTable, CustomerDatabase } from './customer-database.ts';

/** An `addresses` row. */
export type AddressRow = Selectable<AddressesTable>;

/** Values of a new address. */
export type NewAddressRow = Omit<AddressRow, 'created_at'>;

/** Repository of `addresses`. */
export class AddressStore {
  readonly #db: Kysely<CustomerDatabase>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<CustomerDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /** A customer's addresses: defaults first, then oldest first. */
  async listForCustomer(customerId: string): Promise<AddressRow[]> {
    return this.#db
      .selectFrom('addresses')
      .selectAll()
      .where('customer_id', '=', customerId)
      .orderBy('is_default', 'desc')
      .orderBy('created_at')
      .orderBy('id')
      .execute({ signal: this.#signal });
  }

  /** How many addresses a customer has, and of which kinds a default exists. */
  async summary(customerId: string): Promise<{ count: number; defaultKinds: AddressKind[] }> {
    const rows = await this.#db.selectFrom('addresses').select(['kind', 'is_default']).where('customer_id', '=', customerId).execute({ signal: this.#signal });
    return { count: rows.length, defaultKinds: rows.filter((r) => r.is_default).map((r) => r.kind) };
  }

  /** Inserts addresses (one multi-row INSERT) and returns them in input order. */
  async insert(rows: readonly NewAddressRow[]): Promise<AddressRow[]> {
    if (rows.length === 0) return [];
    const inserted = await this.#db
      .insertInto('addresses')
      .values([...rows])
      .returningAll()
      .execute({ signal: this.#signal });
    const byId = new Map(inserted.map((row) => [row.id, row]));
    return rows.map((row) => byId.get(row.id) as AddressRow);
  }

  /** Clears the default flag of a customer's addresses of one kind (before another becomes the default). */
  async clearDefault(customerId: string, kind: AddressKind): Promise<void> {
    await this.#db
      .updateTable('addresses')
      .set({ is_default: false })
      .where('customer_id', '=', customerId)
      .where('kind', '=', kind)
      .where('is_default', '=', true)
      .execute({ signal: this.#signal });
  }

  /** Deletes one address of a customer; undefined when the customer has no such address. */
  async delete(customerId: string, addressId: string): Promise<AddressRow | undefined> {
    return this.#db
      .deleteFrom('addresses')
      .where('id', '=', addressId)
      .where('customer_id', '=', customerId)
      .returningAll()
      .executeTakeFirst({ signal: this.#signal });
  }

  /** Makes the most recently added address of a kind the default; returns its id (null when none is left). */
  async promoteLatest(customerId: string, kind: AddressKind): Promise<string | null> {
    const row = await this.#db
      .updateTable('addresses')
      .set({ is_default: true })
      .where(
        'id',
        '=',
        sql<string>`(SELECT id FROM addresses WHERE customer_id = ${customerId} AND kind = ${kind}
                      ORDER BY created_at DESC, id DESC LIMIT 1)`,
      )
      .returning('id')
      .executeTakeFirst({ signal: this.#signal });
    return row?.id ?? null;
  }

  /** Deletes every address of a customer; returns how many. */
  async deleteAllForCustomer(customerId: string): Promise<number> {
    const result = await this.#db.deleteFrom('addresses').where('customer_id', '=', customerId).executeTakeFirst({ signal: this.#signal });
    return Number(result.numDeletedRows);
  }
}
