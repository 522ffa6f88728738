import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { decodeCursor, keysetPage } from '@mcpfed/db';
import type { InventoryMovementsTable, InventoryTables, MovementKindValue } from './inventory-tables.ts';

/** An `inventory_movements` row. */
export type MovementRow = Selectable<InventoryMovementsTable>;

/** What {@link MovementStore.page} filters by. */
export interface MovementFilter {
  sku?: string | undefined;
  location?: string | undefined;
  kinds?: readonly MovementKindValue[] | undefined;
  reservationId?: string | undefined;
  reference?: string | undefined;
}

/** A page of the ledger. */
export interface MovementPage {
  rows: MovementRow[];
  nextCursor: string | null;
}

const cursorShape = z.strictObject({ id: z.string().regex(/^[0-9]{1,19}$/) });

/** Repository of `inventory_movements`, the stock ledger (appended by LevelStore.apply only). */
export class MovementStore {
  readonly #db: Kysely<InventoryTables>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<InventoryTables>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /** One ledger row by id. */
  async find(id: number): Promise<MovementRow | undefined> {
    return this.#db.selectFrom('inventory_movements').selectAll().where('id', '=', String(id)).executeTakeFirst({ signal: this.#signal });
  }

  /** A page of the ledger, newest first (keyset on id). */
  async page(filter: MovementFilter, options: { limit: number; cursor?: string | undefined }): Promise<MovementPage> {
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, cursorShape);
    const rows = await this.#db
      .selectFrom('inventory_movements')
      .selectAll()
      .$if(filter.sku !== undefined, (qb) => qb.where('sku', '=', filter.sku as string))
      .$if(filter.location !== undefined, (qb) => qb.where('location', '=', filter.location as string))
      .$if(filter.kinds !== undefined, (qb) => qb.where('kind', 'in', [...(filter.kinds as MovementKindValue[])]))
      .$if(filter.reservationId !== undefined, (qb) => qb.where('reservation_id', '=', filter.reservationId as string))
      .$if(filter.reference !== undefined, (qb) => qb.where('reference', '=', filter.reference as string))
      .$if(after !== undefined, (qb) => qb.where('id', '<', (after as { id: string }).id))
      .orderBy('id', 'desc')
      .limit(options.limit + 1)
      .execute({ signal: this.#signal });
    return keysetPage(rows, options.limit, (last) => ({ id: String(last.id) }));
  }

  /** Units committed (sold) per sku since `since`. */
  async soldSince(skus: readonly string[], since: Date): Promise<Map<string, number>> {
    if (skus.length === 0) return new Map();
    const rows = await this.#db
      .selectFrom('inventory_movements')
      .select(['sku', sql<string>`-sum(delta_on_hand)`.as('sold')])
      .where('kind', '=', 'commit')
      .where('at', '>=', since)
      .where('sku', 'in', [...skus])
      .groupBy('sku')
      .execute({ signal: this.#signal });
    return new Map(rows.map((row) => [row.sku, Number(row.sold)]));
  }
}
