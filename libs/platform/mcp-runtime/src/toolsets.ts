/**
 * The federation's toolsets: named slices of the merged catalog a client can ask the router for
 * (`/mcp/x/<toolset>[,<toolset>]` or `X-MCP-Toolsets`), so a model is shown the tools of one job instead of all
 * of them. Data only: a toolset is a list of tool-name prefixes (a domain) or exact names (a job). A view is
 * always intersected with the caller's scopes, so a toolset never grants anything. Documented in
 * apps/router/README.md "Views"; role presets of `npm run client-config` pick one each.
 */
export const TOOLSETS = {
  /** Domains: every tool of one domain. */
  customer: { prefixes: ['customer_'], purpose: 'customers: profiles, addresses, notes, status, privacy' },
  order: { prefixes: ['order_'], purpose: 'orders: quotes, checkout, cancellations, refunds, fulfilment, workflows' },
  product: { prefixes: ['product_', 'inventory_'], purpose: 'catalog and inventory, including checkout reservations' },
  payment: { prefixes: ['payment_'], purpose: 'payments: methods, authorizations, captures, refunds, ledger' },
  /** Jobs: the tools one kind of work needs, across domains. */
  shopping: {
    names: [
      'product_search',
      'product_get',
      'product_lookup',
      'inventory_get',
      'customer_get',
      'customer_check_eligibility',
      'customer_add_address',
      'payment_method_list',
      'payment_method_attach',
      'order_quote',
      'order_place',
      'order_get',
      'order_search',
      'order_cancel',
    ],
    purpose: 'browse, quote and place orders for a customer, and follow them',
  },
  support: {
    names: [
      'customer_get',
      'customer_search',
      'customer_timeline',
      'customer_check_eligibility',
      'customer_add_note',
      'customer_update',
      'order_get',
      'order_search',
      'order_events',
      'order_workflow_get',
      'order_cancel',
      'order_refund',
      'payment_get',
      'payment_search',
      'payment_refundable',
      'product_get',
      'product_lookup',
      'inventory_get',
    ],
    purpose: "answer a customer's questions about their account, orders and payments; cancel or refund",
  },
  catalog: {
    names: [
      'product_search',
      'product_get',
      'product_lookup',
      'product_create',
      'product_update',
      'product_archive',
      'product_set_price',
      'product_import',
      'product_import_status',
      'inventory_get',
      'inventory_adjust',
      'inventory_low_stock',
      'inventory_movements',
    ],
    purpose: 'maintain products, prices, imports and stock (not the checkout reservations)',
  },
  finance: {
    names: [
      'payment_get',
      'payment_search',
      'payment_refundable',
      'payment_refund',
      'payment_capture',
      'payment_void',
      'payment_reconcile',
      'payment_balance_summary',
      'payment_method_list',
      'order_get',
      'order_search',
      'order_refund',
      'order_summary',
      'customer_get',
    ],
    purpose: 'captures, voids, refunds, reconciliation and balances',
  },
  analytics: {
    names: [
      'order_summary',
      'payment_balance_summary',
      'inventory_low_stock',
      'customer_query_sql',
      'order_query_sql',
      'product_query_sql',
      'payment_query_sql',
      'customer_search',
      'order_search',
      'product_search',
    ],
    purpose: 'summaries and read-only SQL over the analytics views',
  },
} as const satisfies Record<string, { prefixes?: readonly string[]; names?: readonly string[]; purpose: string }>;

/** A toolset's name. */
export type ToolsetName = keyof typeof TOOLSETS;

/** Every toolset name, in {@link TOOLSETS} order. */
export const TOOLSET_NAMES = Object.keys(TOOLSETS) as ToolsetName[];

/** Whether `name` is a toolset. */
export function isToolset(name: string): name is ToolsetName {
  return Object.hasOwn(TOOLSETS, name);
}

/** Whether tool `tool` belongs to toolset `toolset`. */
export function inToolset(toolset: ToolsetName, tool: string): boolean {
  const entry: { prefixes?: readonly string[]; names?: readonly string[] } = TOOLSETS[toolset];
  return (entry.names?.includes(tool) ?? false) || (entry.prefixes?.some((prefix) => tool.startsWith(prefix)) ?? false);
}

/**
 * What a client asked to see: toolsets (empty: every tool), read-only tools only, and whether the catalog is
 * served lazily (three meta-tools instead of the tools themselves). A tool outside the view is refused, not only
 * hidden, and the caller's scopes still apply on top.
 */
export interface ViewSelection {
  readonly toolsets: readonly ToolsetName[];
  readonly readOnly: boolean;
  readonly lazy: boolean;
}

/** The whole catalog: no toolsets, writes included, tools listed directly. */
export const FULL_VIEW: ViewSelection = Object.freeze({ toolsets: [], readOnly: false, lazy: false });

/** The word of a path or header that asks for the lazy view. */
export const LAZY = 'lazy';
/** The word of a path or header that asks for read-only tools only. */
export const READONLY = 'readonly';

/**
 * Parses a comma-separated list of toolset names and the words `lazy` and `readonly` (a path segment after
 * `/mcp/x/`, or `X-MCP-Toolsets`). Returns the problem as a sentence for an unknown or empty word.
 */
export function parseViewWords(list: string): { toolsets: ToolsetName[]; readOnly: boolean; lazy: boolean } | { problem: string } {
  const toolsets: ToolsetName[] = [];
  let readOnly = false;
  let lazy = false;
  for (const raw of list.split(',')) {
    const word = raw.trim().toLowerCase();
    if (word === LAZY) lazy = true;
    else if (word === READONLY) readOnly = true;
    else if (isToolset(word)) {
      if (!toolsets.includes(word)) toolsets.push(word);
    } else {
      return { problem: `Unknown toolset "${raw.trim().slice(0, 40)}". Toolsets: ${TOOLSET_NAMES.join(', ')}; also "${LAZY}" and "${READONLY}".` };
    }
  }
  return { toolsets, readOnly, lazy };
}

/** Whether a tool with this name and annotations is in `view` (scopes are checked separately). */
export function inView(view: ViewSelection, tool: string, annotations: unknown): boolean {
  if (view.readOnly && (annotations as { readOnlyHint?: unknown } | undefined)?.readOnlyHint !== true) return false;
  return view.toolsets.length === 0 || view.toolsets.some((toolset) => inToolset(toolset, tool));
}

/** A short description of `view` for messages: `toolsets finance, support; read-only`. */
export function describeView(view: ViewSelection): string {
  const parts = [view.toolsets.length === 0 ? 'every toolset' : `toolset${view.toolsets.length > 1 ? 's' : ''} ${view.toolsets.join(', ')}`];
  if (view.readOnly) parts.push('read-only');
  return parts.join('; ');
}
