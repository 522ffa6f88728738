import type { Kysely } from 'kysely';
import { customerFilterFor, customerReachOf, reachesCustomer, requireAnyCustomer, requireCustomer } from '@mcpfed/auth';
import type { CustomerReach } from '@mcpfed/auth';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import { CUSTOMER_UPDATABLE_FIELDS } from '@mcpfed/contract-customer';
import type { customerCreate, customerGet, customerSearch, customerSetStatus, customerUpdate } from '@mcpfed/contract-customer';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { AddressStore } from '../store/address-store.ts';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { customerNotFound } from '../store/customer-not-found.ts';
import { CustomerSearchStore } from '../store/customer-search-store.ts';
import { CustomerStore } from '../store/customer-store.ts';
import type { CustomerPatch } from '../store/customer-store.ts';
import { customerView, summaryView } from './customer-view.ts';
import type { CustomerOutput } from './customer-view.ts';
import { lockForChange } from './lock-for-change.ts';
import { newAddressRow } from './new-address-row.ts';
import { newId } from './new-id.ts';
import { recordEvents } from './record-events.ts';
import { withinTransaction } from './within-transaction.ts';

/** Updatable fields whose values only `customer:pii` may see. */
const PERSONAL_FIELDS: ReadonlySet<string> = new Set(['email', 'phone']);

/**
 * The customer domain's rules for profiles. One instance serves one call: it works on the database handle it is
 * given — the runtime's transaction for write tools, the pool for reads — and opens its own transaction when a
 * write is called outside one, so a change and its timeline event always commit together.
 *
 * Who reaches which customer (`customerReachOf(ctx.principal)`): a call that names a customer id the caller does
 * not reach is FORBIDDEN; a look-up by another key (email) that lands on such a customer is NOT_FOUND, exactly
 * like a missing one; lists hold only reachable customers; creating customers and changing their status are staff
 * operations (`customer:any`). Every check runs before anything is written. Addresses are `AddressService`'s,
 * notes and the timeline `TimelineService`'s.
 */
export class CustomerService {
  readonly #db: Kysely<CustomerDatabase>;
  readonly #ctx: RequestContext;
  readonly #reach: CustomerReach;
  readonly #canSeePii: boolean;

  constructor(db: Kysely<CustomerDatabase>, ctx: RequestContext) {
    this.#db = db;
    this.#ctx = ctx;
    this.#reach = customerReachOf(ctx.principal);
    this.#canSeePii = ctx.hasScope('customer:pii');
  }

  /**
   * customer_get: one profile by id or email. Looking up by email needs `customer:pii`: without it the answer
   * (a profile or NOT_FOUND) would confirm whether an address belongs to a customer, and whose it is.
   */
  async get(input: ContractInput<typeof customerGet>): Promise<ContractOutput<typeof customerGet>> {
    if (input.id !== undefined) return this.profile({ id: input.id });
    customerFilterFor(this.#reach); // an unbound caller without customer:any is refused, not told NOT_FOUND
    if (!this.#canSeePii) {
      throw new AppError('FORBIDDEN', 'Looking a customer up by email needs customer:pii. Use customer_search by name, or customer_get by id.', {
        details: { missing: ['customer:pii'], field: 'email' },
      });
    }
    return this.profile({ email: input.email as string });
  }

  /** The profile as the caller may see it; NOT_FOUND when there is none (also for resources and prompts). */
  async profile(by: { id: string } | { email: string }, db: Kysely<CustomerDatabase> = this.#db): Promise<CustomerOutput> {
    if ('id' in by) requireCustomer(this.#reach, by.id);
    const found = await new CustomerStore(db, this.#ctx.signal).findProfile(by);
    const row = found !== undefined && reachesCustomer(this.#reach, found.id) ? found : undefined;
    if (row === undefined) {
      throw 'id' in by
        ? customerNotFound(by.id)
        : new AppError('NOT_FOUND', 'No customer has this email. Check it or find the customer with customer_search.', {
            details: { field: 'email' },
          });
    }
    return customerView(row, this.#canSeePii);
  }

  /** customer_search: fuzzy text, filters, keyset pages. */
  async search(input: ContractInput<typeof customerSearch>): Promise<ContractOutput<typeof customerSearch>> {
    const sort = input.sort ?? (input.query === undefined ? 'created_at_desc' : 'relevance');
    const createdFrom = input.filter?.created_from === undefined ? undefined : new Date(input.filter.created_from);
    const createdTo = input.filter?.created_to === undefined ? undefined : new Date(input.filter.created_to);
    if (createdFrom !== undefined && createdTo !== undefined && createdFrom >= createdTo) {
      throw new AppError('VALIDATION_FAILED', 'filter.created_from must be before filter.created_to.', {
        details: { issues: [{ path: 'filter.created_from', message: 'must be before created_to' }] },
      });
    }
    const customerId = customerFilterFor(this.#reach);
    const page = await new CustomerSearchStore(this.#db, this.#ctx.signal).search({
      query: input.query,
      matchEmail: this.#canSeePii,
      customerId,
      tier: input.filter?.tier,
      status: input.filter?.status,
      createdFrom,
      createdTo,
      sort,
      limit: input.limit,
      cursor: input.cursor,
    });
    return { items: page.rows.map((row) => summaryView(row, this.#canSeePii)), next_cursor: page.nextCursor };
  }

  /** customer_create: the customer, its addresses and the created event, in one transaction. */
  async create(input: ContractInput<typeof customerCreate>): Promise<ContractOutput<typeof customerCreate>> {
    requireAnyCustomer(this.#reach, 'customer_create');
    const addresses = input.addresses ?? [];
    for (const kind of ['shipping', 'billing'] as const) {
      if (addresses.filter((a) => a.kind === kind && a.is_default === true).length > 1) {
        throw new AppError('VALIDATION_FAILED', `Only one ${kind} address can be the default.`, {
          details: { issues: [{ path: 'addresses', message: `more than one default ${kind} address` }] },
        });
      }
    }
    return withinTransaction(this.#db, async (db) => {
      const id = newId('cus');
      const row = await new CustomerStore(db, this.#ctx.signal).insert({
        id,
        email: input.email,
        first_name: input.first_name,
        last_name: input.last_name,
        phone: input.phone ?? null,
        tier: input.tier,
      });
      if (row === undefined) {
        throw new AppError('CONFLICT', 'A customer with this email already exists. Look it up with customer_get by email instead of creating it again.', {
          details: { field: 'email' },
        });
      }
      const addressRows = addresses.map((address) => newAddressRow(id, address, false));
      for (const kind of ['shipping', 'billing'] as const) {
        const ofKind = addresses.map((a, i) => ({ a, i })).filter(({ a }) => a.kind === kind);
        const chosen = ofKind.find(({ a }) => a.is_default === true) ?? ofKind[0];
        const target = chosen === undefined ? undefined : addressRows[chosen.i];
        if (target !== undefined) target.is_default = true;
      }
      await new AddressStore(db, this.#ctx.signal).insert(addressRows);
      await recordEvents(
        db,
        [
          { customer_id: id, type: 'customer.created', data: { tier: input.tier, address_count: addressRows.length } },
          ...addressRows.map((a) => ({
            customer_id: id,
            type: 'customer.address_added',
            data: { address_id: a.id, kind: a.kind, country: a.country },
          })),
        ],
        this.#ctx,
      );
      return { customer: await this.profile({ id }, db), replayed: false };
    });
  }

  /** customer_update: changed profile fields under optimistic concurrency. */
  async update(input: ContractInput<typeof customerUpdate>): Promise<ContractOutput<typeof customerUpdate>> {
    return withinTransaction(this.#db, async (db) => {
      const customers = new CustomerStore(db, this.#ctx.signal);
      const current = await lockForChange(customers, input.id, input.expected_version, this.#ctx);
      // A caller who cannot see email and phone must not learn them by guessing: a guess equal to the stored value
      // would otherwise come back as "unchanged". For such a caller every personal field given counts as changed.
      const changed = CUSTOMER_UPDATABLE_FIELDS.filter(
        (field) => input.changes[field] !== undefined && (input.changes[field] !== current[field] || (!this.#canSeePii && PERSONAL_FIELDS.has(field))),
      );
      const patch: CustomerPatch = Object.fromEntries(changed.map((field) => [field, input.changes[field]]));
      if (patch.email !== undefined && (await customers.emailTaken(patch.email, current.id))) {
        throw new AppError('CONFLICT', 'Another customer already uses this email.', { details: { field: 'email' } });
      }
      if (changed.length > 0) {
        await customers.update(current.id, patch);
        await recordEvents(db, [{ customer_id: current.id, type: 'customer.updated', data: { fields: changed } }], this.#ctx);
      }
      return { customer: await this.profile({ id: current.id }, db), changed_fields: changed };
    });
  }

  /** customer_set_status: activate, suspend or block, with a reason. */
  async setStatus(input: ContractInput<typeof customerSetStatus>): Promise<ContractOutput<typeof customerSetStatus>> {
    // A customer must not lift its own suspension or block: status is staff's decision.
    requireAnyCustomer(this.#reach, 'customer_set_status');
    return withinTransaction(this.#db, async (db) => {
      const customers = new CustomerStore(db, this.#ctx.signal);
      const current = await lockForChange(customers, input.id, input.expected_version, this.#ctx);
      const changed = current.status !== input.status;
      if (changed) {
        await customers.update(current.id, { status: input.status, status_reason: input.reason });
        await recordEvents(
          db,
          [{ customer_id: current.id, type: 'customer.status_changed', data: { from: current.status, to: input.status, reason: input.reason } }],
          this.#ctx,
        );
      }
      return { customer: await this.profile({ id: current.id }, db), previous_status: current.status, changed };
    });
  }
}
