import type { Kysely } from 'kysely';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { inventoryAdjust, inventoryGet, inventoryLowStock, inventoryMovements } from '@mcpfed/contract-product';
import type { InventoryTables } from '../store/inventory-tables.ts';
import { LevelStore } from '../store/level-store.ts';
import { MovementStore } from '../store/movement-store.ts';
import { ProductPriceStore } from '../store/product-price-store.ts';
import { levelView, movementView, skuStockViews } from './inventory-views.ts';
import { withinTransaction } from '../../store/within-transaction.ts';

/** What the inventory's rules read of a request: who acts (ledger rows, reservations' creator) and the abort signal. */
type InventoryCall = Pick<RequestContext, 'principal' | 'signal'>;

/** The demand window of the low-stock triage: units committed over the last this many days. */
export const DEMAND_DAYS = 30;

/** One low level with the demand and the stock elsewhere that the triage weighs. */
export interface LowStockTriageRow {
  sku: string;
  location: string;
  on_hand: number;
  reserved: number;
  available: number;
  sold_last_30_days: number;
  other_locations: Array<{ location: string; available: number }>;
}

/**
 * Stock levels and the ledger: reads, adjustments, low stock. One instance serves one call, on the handle it is
 * given (the runtime's transaction for writes, the pool for reads); a write outside a transaction opens one.
 */
export class InventoryService {
  readonly #db: Kysely<InventoryTables>;

  constructor(db: Kysely<InventoryTables>) {
    this.#db = db;
  }

  /** inventory_get: totals and per-location stock, in the order asked; skus not in the catalog listed apart. */
  async get(input: ContractInput<typeof inventoryGet>, ctx: InventoryCall): Promise<ContractOutput<typeof inventoryGet>> {
    const skus = [...new Set(input.skus)];
    const products = await new ProductPriceStore(this.#db, ctx.signal).find(skus);
    const known = skus.filter((sku) => products.has(sku));
    const levels = await new LevelStore(this.#db, ctx.signal).list(known, input.location);
    const stock = skuStockViews(known, levels);
    return {
      items: known.map((sku) => stock.get(sku)).filter((s) => s !== undefined),
      not_found: skus.filter((sku) => !products.has(sku)),
    };
  }

  /** inventory_adjust: a signed change of on_hand with its ledger row; never below what is reserved. */
  async adjust(input: ContractInput<typeof inventoryAdjust>, ctx: InventoryCall): Promise<ContractOutput<typeof inventoryAdjust>> {
    return withinTransaction(this.#db, async (db) => {
      const product = (await new ProductPriceStore(db, ctx.signal).find([input.sku])).get(input.sku);
      if (product === undefined) {
        throw new AppError('NOT_FOUND', `SKU ${input.sku} is not in the catalog. Check it with the catalog search.`, { details: { skus: [input.sku] } });
      }
      const levels = new LevelStore(db, ctx.signal);
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
        actor: ctx.principal.id,
        reason: input.reason,
        reference: input.reference ?? null,
        note: input.note ?? null,
      });
      if (applied === undefined) throw new AppError('INTERNAL', 'adjustment applied to no level');
      const movement = await new MovementStore(db, ctx.signal).find(applied.movementId);
      if (movement === undefined) throw new AppError('INTERNAL', 'adjustment wrote no ledger row');
      return { level: levelView(applied.level), movement: movementView(movement), dry_run: input.dry_run, replayed: false };
    });
  }

  /** inventory_low_stock: levels at or below the threshold, lowest first. */
  async lowStock(input: ContractInput<typeof inventoryLowStock>, ctx: InventoryCall): Promise<ContractOutput<typeof inventoryLowStock>> {
    const page = await new LevelStore(this.#db, ctx.signal).lowStock({
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

  /**
   * The data of the low-stock triage prompt: the lowest levels (as inventory_low_stock lists them), each with its
   * sku's units sold (committed) over the last {@link DEMAND_DAYS} days and its stock at the other locations;
   * `more` when levels beyond `limit` exist.
   */
  async lowStockTriage(
    input: { threshold: number; location?: string | undefined; limit: number },
    ctx: InventoryCall,
  ): Promise<{ rows: LowStockTriageRow[]; more: boolean }> {
    const low = await this.lowStock(input, ctx);
    const skus = [...new Set(low.items.map((item) => item.sku))];
    const sold = await new MovementStore(this.#db, ctx.signal).soldSince(skus, new Date(Date.now() - DEMAND_DAYS * 86_400_000));
    const everywhere = await new LevelStore(this.#db, ctx.signal).list(skus);
    const rows = low.items.map((item) => ({
      ...item,
      sold_last_30_days: sold.get(item.sku) ?? 0,
      other_locations: everywhere
        .filter((level) => level.sku === item.sku && level.location !== item.location)
        .map((level) => ({ location: level.location, available: level.available })),
    }));
    return { rows, more: low.next_cursor !== null };
  }

  /** inventory_movements: the ledger, newest first. */
  async movements(input: ContractInput<typeof inventoryMovements>, ctx: InventoryCall): Promise<ContractOutput<typeof inventoryMovements>> {
    const page = await new MovementStore(this.#db, ctx.signal).page(
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
}
