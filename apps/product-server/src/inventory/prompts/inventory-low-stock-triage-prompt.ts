import { DEFAULT_LOW_STOCK_THRESHOLD, inventoryLowStockTriage } from '@mcpfed/contract-product';
import { promptBinder } from '@mcpfed/mcp-runtime';
import type { PromptBinding } from '@mcpfed/mcp-runtime';
import { InventoryService } from '../service/inventory-service.ts';
import { LevelStore } from '../store/level-store.ts';
import { MovementStore } from '../store/movement-store.ts';
import { inventoryDb } from '../store/inventory-tables.ts';
import type { InventoryTables } from '../store/inventory-tables.ts';

/** How many low levels the prompt preloads. */
const PRELOADED_LEVELS = 50;
/** The demand window: units committed over the last this many days. */
const DEMAND_DAYS = 30;

/**
 * inventory_low_stock_triage: the lowest levels, each sku's units sold in the last 30 days and its stock at
 * other locations, with the planner's task.
 */
export function inventoryLowStockTriagePrompt<DB extends InventoryTables>(): PromptBinding<DB> {
  return promptBinder<DB>()(inventoryLowStockTriage, async (args, ctx) => {
    const db = inventoryDb(ctx.db);
    const threshold = args.threshold === undefined ? DEFAULT_LOW_STOCK_THRESHOLD : Number(args.threshold);
    const low = await new InventoryService(db).lowStock({ threshold, location: args.location, limit: PRELOADED_LEVELS }, ctx);
    const skus = [...new Set(low.items.map((item) => item.sku))];
    const sold = await new MovementStore(db, ctx.signal).soldSince(skus, new Date(Date.now() - DEMAND_DAYS * 86_400_000));
    const everywhere = await new LevelStore(db, ctx.signal).list(skus);
    const rows = low.items.map((item) => ({
      ...item,
      sold_last_30_days: sold.get(item.sku) ?? 0,
      other_locations: everywhere
        .filter((level) => level.sku === item.sku && level.location !== item.location)
        .map((level) => ({ location: level.location, available: level.available })),
    }));
    const scope = args.location === undefined ? 'all locations' : `location ${args.location}`;
    const text = [
      `Triage the low stock of ${scope}: levels with at most ${threshold} available units (available = on_hand - reserved).`,
      '',
      'Use only the data below. For each SKU and location decide:',
      '(1) urgency: "out now" (available 0 with demand), "runs out soon" (available below about a week of demand',
      'at the 30-day rate), or "fine" (little or no demand);',
      '(2) the action: reorder (suggest a quantity covering about 30 days of demand), move units from another',
      'location that has plenty (name it and how many), or nothing;',
      '(3) data problems worth a look, e.g. most of on_hand reserved with no sales (stuck reservations), or stock',
      'with no demand at all.',
      'Answer with a table sorted by urgency, then at most five bullet points of next steps. Stock changes are',
      'recorded with inventory_adjust (reason "received" when goods arrive); inventory_movements explains a level.',
      low.next_cursor === null ? '' : `Only the lowest ${PRELOADED_LEVELS} levels are shown; say that more exist (inventory_low_stock lists them).`,
      '',
      `Low levels, lowest first (${rows.length}):`,
      JSON.stringify(rows, null, 2),
    ].join('\n');
    return {
      description: `Low stock triage (${scope}, threshold ${threshold})`,
      messages: [{ role: 'user', content: { type: 'text', text } }],
    };
  });
}
