import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { inTransaction } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { inventoryAdjust, inventoryGet, inventoryLowStock, inventoryMovements } from '@mcpfed/contract-product';
import type { InventoryTables } from '../store/inventory-tables.ts';
import { LevelStore } from '../store/level-store.ts';
import { MovementStore } from '../store/movement-store.ts';
import { ProductPriceStore } from '../store/product-price-store.ts';
import type { InventoryCaller } from './inventory-caller.ts';
import { levelView, movementView, skuStockViews } from './inventory-views.ts';

type In<T extends { input: z.ZodType }> = z.output<T['input']>;
type Out<T extends { output: z.ZodType }> = z.input<T['output']>;

/**
 * Stock levels and the ledger: reads, adjustments, low stock. One instance serves one call, on the handle it is
 * given (the runtime's transaction for writes, the pool for reads); a write outside a transaction opens one.
 */
export class InventoryService {
  readonly #db: Kysely<InventoryTables>;
  readonly #caller: InventoryCaller;

  constructor(db: Kysely<InventoryTables>, caller: InventoryCaller) {
    this.#db = db;
    this.#caller = caller;
  }

  /** inventory_get: totals and per-location stock, in the order asked; skus not in the catalog listed apart. */
  async get(input: In<typeof inventoryGet>): Promise<Out<typeof inventoryGet>> {
    const skus = [...new Set(input.skus)];
    const products = await new ProductPriceStore(this.#db).find(skus);
    const known = skus.filter((sku) => products.has(sku));
    const levels = await new LevelStore(this.#db, this.#caller.signal).list(known, input.location);
    const stock = skuStockViews(known, levels);
    return {
      items: known.map((sku) => stock.get(sku)).filter((s) => s !== undefined),
      not_found: skus.filter((sku) => !products.has(sku)),
    };
  }

  /** inventory_adjust: a signed change of on_hand with its ledger row; never below what is reserved. */
  async adjust(input: In<typeof inventoryAdjust>): Promise<Out<typeof inventoryAdjust>> {
    return this.#write(async (db) => {
      const product = (await new ProductPriceStore(db).find([input.sku])).get(input.sku);
      if (product === undefined) {
        throw new AppError('NOT_FOUND', `SKU ${input.sku} is not in the catalog. Check it with the catalog search.`, { details: { skus: [input.sku] } });
      }
      const levels = new LevelStore(db, this.#caller.signal);
      if (input.delta > 0) await levels.ensure(input.sku, input.location);
      const [level] = await levels.lockLevels([{ sku: input.sku, location: input.location }]);
      const available = level?.available ?? 0;
      if (level === undefined || available + input.delta < 0) {
        throw new AppError(
          'PRECONDITION_FAILED',
          `Only ${available} units of ${input.sku} are available at ${input.location}; a delta of ${input.delta} would take stock below what is reserved. Adjust by at most -${available}, or release reservations first.`,
          {
            details: {
              reason: 'insufficient_stock',
              sku: input.sku,
              location: input.location,
              on_hand: level?.on_hand ?? 0,
              reserved: level?.reserved ?? 0,
              available,
              delta: input.delta,
            },
          },
        );
      }
      const [applied] = await levels.apply([{ sku: input.sku, location: input.location, deltaOnHand: input.delta, deltaReserved: 0 }], {
        kind: 'adjust',
        actor: this.#caller.actor,
        reason: input.reason,
        reference: input.reference ?? null,
        note: input.note ?? null,
      });
      if (applied === undefined) throw new AppError('INTERNAL', 'adjustment applied to no level');
      const movement = await new MovementStore(db, this.#caller.signal).find(applied.movementId);
      if (movement === undefined) throw new AppError('INTERNAL', 'adjustment wrote no ledger row');
      return { level: levelView(applied.level), movement: movementView(movement), dry_run: input.dry_run, replayed: false };
    });
  }

  /** inventory_low_stock: levels at or below the threshold, lowest first. */
  async lowStock(input: In<typeof inventoryLowStock>): Promise<Out<typeof inventoryLowStock>> {
    const page = await new LevelStore(this.#db, this.#caller.signal).lowStock({
      threshold: input.threshold,
      location: input.location,
      limit: input.limit,
      cursor: input.cursor,
    });
    return {
      items: page.rows.map((row) => ({ sku: row.sku, location: row.location, on_hand: row.on_hand, reserved: row.reserved, available: row.available })),
      next_cursor: page.nextCursor,
    };
  }

  /** inventory_movements: the ledger, newest first. */
  async movements(input: In<typeof inventoryMovements>): Promise<Out<typeof inventoryMovements>> {
    const page = await new MovementStore(this.#db, this.#caller.signal).page(
      {
        sku: input.filter?.sku,
        location: input.filter?.location,
        kinds: input.filter?.kinds,
        reservationId: input.filter?.reservation_id,
        reference: input.filter?.reference,
      },
      { limit: input.limit, cursor: input.cursor },
    );
    return { items: page.rows.map(movementView), next_cursor: page.nextCursor };
  }

  #write<T>(fn: (db: Kysely<InventoryTables>) => Promise<T>): Promise<T> {
    return this.#db.isTransaction ? fn(this.#db) : inTransaction(this.#db, fn);
  }
}
