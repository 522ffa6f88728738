import { DEFAULT_LOW_STOCK_THRESHOLD, inventoryLowStockTriage } from '@mcpfed/contract-product';
import { promptBinder } from '@mcpfed/mcp-runtime';
import type { PromptBinding } from '@mcpfed/mcp-runtime';
import { InventoryService } from '../service/inventory-service.ts';
import { inventoryDb } from '../store/inventory-tables.ts';
import type { InventoryTables } from '../store/inventory-tables.ts';

/** How many low levels the prompt preloads. */
const PRELOADED_LEVELS = 50;
/**
 * inventory_low_stock_triage: the lowest levels, each sku's units sold in the last 30 days and its stock at
 * other locations, with the planner's task.
 */
export function inventoryLowStockTriagePrompt<DB extends InventoryTables>(): PromptBinding<DB> {
  return promptBinder<DB>()(inventoryLowStockTriage, async (args, ctx) => {
    const threshold = args.threshold === undefined ? DEFAULT_LOW_STOCK_THRESHOLD : Number(args.threshold);
    const { rows, more } = await new InventoryService(inventoryDb(ctx.db)).lowStockTriage({ threshold, location: args.location, limit: PRELOADED_LEVELS }, ctx);
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
      more ? `Only the lowest ${PRELOADED_LEVELS} levels are shown; say that more exist (inventory_low_stock lists them).` : '',
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
