import type { DevProviderUser } from '@mcpfed/auth/dev-provider';
import { SCOPES } from '@mcpfed/contract-common';

/** The login names of the demo users of the dev provider's login page. */
export type DemoUserName = 'shopper' | 'support' | 'analyst' | 'admin';

/** A person of the demo, with what the banner says about them. */
export interface DemoUser extends DevProviderUser {
  readonly subject: DemoUserName;
  /** One line for the banner and `npm run token -- --help`. */
  readonly description: string;
}

/**
 * The customer the demo shopper is: Mateo Lefebvre, an active customer of the seeded demo data (the customer
 * server's `seed`, PRNG seed 20250101, always generates the same ids; he is its second customer). His token
 * carries `customer_id`, so the servers let him reach his own data only.
 */
export const DEMO_SHOPPER_CUSTOMER_ID = 'cus_01j9jx2rc3re7ejd42xbz421kr';

/**
 * The people who can log in on the dev provider's login page (`npm start`, `npm run token -- --user <name>`), with
 * development passwords printed in the banner. They stand for the kinds of caller the servers tell apart: a
 * customer bound to their own data, staff reaching any customer, an analyst who only reads, and an operator with
 * every scope (`admin` tools such as anonymization).
 */
export const DEMO_USERS: Readonly<Record<DemoUserName, DemoUser>> = Object.freeze({
  shopper: Object.freeze({
    subject: 'shopper',
    password: 'shopper-dev',
    scopes: Object.freeze(['customer:read', 'customer:write', 'order:read', 'order:write', 'product:read', 'payment:read']),
    claims: Object.freeze({ customer_id: DEMO_SHOPPER_CUSTOMER_ID }),
    description: `a customer (${DEMO_SHOPPER_CUSTOMER_ID}): reads and orders for himself only`,
  }),
  support: Object.freeze({
    subject: 'support',
    password: 'support-dev',
    scopes: Object.freeze([
      'customer:read',
      'customer:write',
      'customer:pii',
      'customer:any',
      'order:read',
      'order:write',
      'product:read',
      'product:write',
      'payment:read',
      'payment:write',
      'payment:refund',
    ]),
    description: 'shop staff: any customer (customer:any), read, write and refund',
  }),
  analyst: Object.freeze({
    subject: 'analyst',
    password: 'analyst-dev',
    scopes: Object.freeze(['customer:read', 'customer:any', 'order:read', 'product:read', 'payment:read', 'sql:read']),
    description: 'reads any customer and the SQL query tools (sql:read); writes nothing',
  }),
  admin: Object.freeze({
    subject: 'admin',
    password: 'admin-dev',
    scopes: SCOPES,
    description: 'an operator: every scope, admin and sql:read included',
  }),
});

/** Whether `name` is one of the {@link DEMO_USERS}. */
export function isDemoUserName(name: string): name is DemoUserName {
  return Object.hasOwn(DEMO_USERS, name);
}
