import { SCOPES } from '@mcpfed/contract-common';

/** The role presets of `npm run client-config -- --role`. */
export const ROLES = ['shopper', 'support', 'catalog', 'finance', 'analyst', 'admin'] as const;

/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

/** What a role is for, the scopes it gets and the router view it connects to. */
export interface RolePreset {
  readonly scopes: readonly string[];
  /**
   * The router path of the role's view (`/mcp/x/<toolset>[,…]`): the tools of its job only, so its model is shown
   * a catalog it can afford (each at most 40 tools; figures in `npm run catalog-report`). The router intersects
   * it with the token's scopes and refuses tools outside it.
   */
  readonly view: string;
  /** Whether the role only makes sense bound to one customer (`--customer`). */
  readonly customerBound: boolean;
  readonly purpose: string;
}

/**
 * Scopes per role: each the least a job needs, so a config written for one person or agent does not carry every
 * scope by default. `customer:any` (reach across customers) goes to staff roles only; the shopper is bound to one
 * customer instead. `customer:pii`, `customer:write`, `sql:read` and `admin` go only where the job needs them.
 * docs: README.md "Connect a client" has the same table.
 */
export const ROLE_PRESETS: Readonly<Record<Role, RolePreset>> = Object.freeze({
  shopper: {
    view: '/mcp/x/shopping',
    scopes: ['customer:read', 'order:read', 'order:write', 'payment:read', 'product:read'],
    customerBound: true,
    purpose: "one customer's own profile, orders and payments; browse and buy (needs --customer)",
  },
  support: {
    view: '/mcp/x/support',
    scopes: ['customer:read', 'customer:any', 'order:read', 'payment:read', 'product:read'],
    customerBound: false,
    purpose: 'staff looking things up across customers: reads only, personal data masked (the default)',
  },
  catalog: {
    view: '/mcp/x/catalog',
    scopes: ['product:read', 'product:write'],
    customerBound: false,
    purpose: 'catalog and inventory: products, prices, stock, imports',
  },
  finance: {
    view: '/mcp/x/finance',
    scopes: ['customer:read', 'customer:any', 'order:read', 'payment:read', 'payment:write', 'payment:refund'],
    customerBound: false,
    purpose: 'payments: captures, voids, refunds, reconciliation',
  },
  analyst: {
    view: '/mcp/x/analytics,readonly',
    scopes: ['customer:read', 'customer:any', 'order:read', 'product:read', 'payment:read', 'sql:read'],
    customerBound: false,
    purpose: 'summaries and read-only SQL across domains, personal data masked',
  },
  admin: {
    view: '/mcp/x/lazy',
    scopes: [...SCOPES],
    customerBound: false,
    purpose: 'every scope (operators only)',
  },
});

/** The default role: the least-privileged one that is still useful without a customer id. */
export const DEFAULT_ROLE: Role = 'support';
