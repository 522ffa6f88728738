import type { Kysely } from 'kysely';
import { customerFilterFor, customerReachOf, reachesCustomer, requireAnyCustomer, requireCustomer } from '@mcpfed/auth';
import type { CustomerReach } from '@mcpfed/auth';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import { inTransaction } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { CUSTOMER_UPDATABLE_FIELDS, MAX_ADDRESSES_PER_CUSTOMER } from '@mcpfed/contract-customer';
import type {
  customerAddAddress,
  customerAddNote,
  customerCheckEligibility,
  customerCreate,
  customerGet,
  customerRemoveAddress,
  customerSearch,
  customerSetStatus,
  customerTimeline,
  customerUpdate,
} from '@mcpfed/contract-customer';
import { AddressStore } from '../store/address-store.ts';
import type { NewAddressRow } from '../store/address-store.ts';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { CustomerSearchStore } from '../store/customer-search-store.ts';
import { CustomerStore } from '../store/customer-store.ts';
import type { CustomerPatch, CustomerRow } from '../store/customer-store.ts';
import { EventStore } from '../store/event-store.ts';
import type { NewEventRow } from '../store/event-store.ts';
import { NoteStore } from '../store/note-store.ts';
import { customerNotFound } from '../store/customer-not-found.ts';
import { addressView, customerView, eventView, noteView, summaryView } from './customer-view.ts';
import type { CustomerOutput } from './customer-view.ts';
import { evaluateEligibility } from './eligibility.ts';
import { newId } from './new-id.ts';

/** Updatable fields whose values only `customer:pii` may see. */
const PERSONAL_FIELDS: ReadonlySet<string> = new Set(['email', 'phone']);

/**
 * The customer domain's rules. One instance serves one call: it works on the database handle it is given —
 * the runtime's transaction for write tools, the pool for reads — and opens its own transaction when a write
 * is called outside one, so a change and its timeline event always commit together.
 *
 * Who reaches which customer (`customerReachOf(ctx.principal)`): a call that names a customer id the caller does
 * not reach is FORBIDDEN; a look-up by another key (email) that lands on such a customer is NOT_FOUND, exactly
 * like a missing one; lists hold only reachable customers; creating customers and changing their status are staff
 * operations (`customer:any`). Every check runs before anything is written.
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
    return this.#write(async (db) => {
      const customers = new CustomerStore(db, this.#ctx.signal);
      const id = newId('cus');
      const row = await customers.insert({
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
      const addressRows: NewAddressRow[] = addresses.map((address) => ({
        id: newId('adr'),
        customer_id: id,
        kind: address.kind,
        is_default: false,
        recipient_name: address.recipient_name ?? null,
        line1: address.line1,
        line2: address.line2 ?? null,
        city: address.city,
        region: address.region ?? null,
        postal_code: address.postal_code,
        country: address.country,
      }));
      for (const kind of ['shipping', 'billing'] as const) {
        const ofKind = addresses.map((a, i) => ({ a, i })).filter(({ a }) => a.kind === kind);
        const chosen = ofKind.find(({ a }) => a.is_default === true) ?? ofKind[0];
        const target = chosen === undefined ? undefined : addressRows[chosen.i];
        if (target !== undefined) target.is_default = true;
      }
      await new AddressStore(db, this.#ctx.signal).insert(addressRows);
      await this.#events(db, [
        { customer_id: id, type: 'customer.created', data: { tier: input.tier, address_count: addressRows.length } },
        ...addressRows.map((a) => ({
          customer_id: id,
          type: 'customer.address_added',
          data: { address_id: a.id, kind: a.kind, country: a.country },
        })),
      ]);
      return { customer: await this.profile({ id }, db), replayed: false };
    });
  }

  /** customer_update: changed profile fields under optimistic concurrency. */
  async update(input: ContractInput<typeof customerUpdate>): Promise<ContractOutput<typeof customerUpdate>> {
    return this.#write(async (db) => {
      const customers = new CustomerStore(db, this.#ctx.signal);
      const current = await this.#lockForChange(customers, input.id, input.expected_version);
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
        await this.#events(db, [{ customer_id: current.id, type: 'customer.updated', data: { fields: changed } }]);
      }
      return { customer: await this.profile({ id: current.id }, db), changed_fields: changed };
    });
  }

  /** customer_set_status: activate, suspend or block, with a reason. */
  async setStatus(input: ContractInput<typeof customerSetStatus>): Promise<ContractOutput<typeof customerSetStatus>> {
    // A customer must not lift its own suspension or block: status is staff's decision.
    requireAnyCustomer(this.#reach, 'customer_set_status');
    return this.#write(async (db) => {
      const customers = new CustomerStore(db, this.#ctx.signal);
      const current = await this.#lockForChange(customers, input.id, input.expected_version);
      const changed = current.status !== input.status;
      if (changed) {
        await customers.update(current.id, { status: input.status, status_reason: input.reason });
        await this.#events(db, [
          { customer_id: current.id, type: 'customer.status_changed', data: { from: current.status, to: input.status, reason: input.reason } },
        ]);
      }
      return { customer: await this.profile({ id: current.id }, db), previous_status: current.status, changed };
    });
  }

  /** customer_add_address: one more address, default handling, version bump. */
  async addAddress(input: ContractInput<typeof customerAddAddress>): Promise<ContractOutput<typeof customerAddAddress>> {
    return this.#write(async (db) => {
      const customers = new CustomerStore(db, this.#ctx.signal);
      const addresses = new AddressStore(db, this.#ctx.signal);
      const current = await this.#lockForChange(customers, input.customer_id, input.expected_version);
      const summary = await addresses.summary(current.id);
      if (summary.count >= MAX_ADDRESSES_PER_CUSTOMER) {
        throw new AppError('LIMIT_EXCEEDED', `A customer can have at most ${MAX_ADDRESSES_PER_CUSTOMER} addresses; remove one first.`, {
          details: { max: MAX_ADDRESSES_PER_CUSTOMER, current: summary.count },
        });
      }
      const { address } = input;
      const makeDefault = address.is_default === true || !summary.defaultKinds.includes(address.kind);
      if (makeDefault) await addresses.clearDefault(current.id, address.kind);
      const [row] = await addresses.insert([
        {
          id: newId('adr'),
          customer_id: current.id,
          kind: address.kind,
          is_default: makeDefault,
          recipient_name: address.recipient_name ?? null,
          line1: address.line1,
          line2: address.line2 ?? null,
          city: address.city,
          region: address.region ?? null,
          postal_code: address.postal_code,
          country: address.country,
        },
      ]);
      if (row === undefined) throw new AppError('INTERNAL', 'address insert returned no row');
      const version = await customers.bumpVersion(current.id);
      await this.#events(db, [
        { customer_id: current.id, type: 'customer.address_added', data: { address_id: row.id, kind: row.kind, country: row.country } },
      ]);
      return { customer_id: current.id, address: addressView(row, this.#canSeePii), customer_version: version, replayed: false };
    });
  }

  /** customer_remove_address: delete, promote a new default, version bump. */
  async removeAddress(input: ContractInput<typeof customerRemoveAddress>): Promise<ContractOutput<typeof customerRemoveAddress>> {
    return this.#write(async (db) => {
      const customers = new CustomerStore(db, this.#ctx.signal);
      const addresses = new AddressStore(db, this.#ctx.signal);
      const current = await this.#lockForChange(customers, input.customer_id, input.expected_version);
      const removed = await addresses.delete(current.id, input.address_id);
      if (removed === undefined) {
        throw new AppError('NOT_FOUND', `Customer ${current.id} has no address ${input.address_id}. List its addresses with customer_get.`, {
          details: { customer_id: current.id, address_id: input.address_id },
        });
      }
      const newDefault = removed.is_default ? await addresses.promoteLatest(current.id, removed.kind) : null;
      const version = await customers.bumpVersion(current.id);
      await this.#events(db, [
        { customer_id: current.id, type: 'customer.address_removed', data: { address_id: removed.id, kind: removed.kind } },
      ]);
      return { customer_id: current.id, removed_address_id: removed.id, new_default_address_id: newDefault, customer_version: version };
    });
  }

  /** customer_add_note: a staff note and its event. */
  async addNote(input: ContractInput<typeof customerAddNote>): Promise<ContractOutput<typeof customerAddNote>> {
    return this.#write(async (db) => {
      const current = await this.#lockForChange(new CustomerStore(db, this.#ctx.signal), input.customer_id, undefined);
      const note = await new NoteStore(db, this.#ctx.signal).insert({
        id: newId('note'),
        customer_id: current.id,
        body: input.body,
        author: this.#ctx.principal.id,
      });
      await this.#events(db, [{ customer_id: current.id, type: 'customer.note_added', data: { note_id: note.id } }]);
      return { customer_id: current.id, note: noteView(note), replayed: false };
    });
  }

  /** customer_timeline: the customer's events, newest first, by keyset. */
  async timeline(input: ContractInput<typeof customerTimeline>): Promise<ContractOutput<typeof customerTimeline>> {
    requireCustomer(this.#reach, input.customer_id);
    await this.#requireCustomer(input.customer_id);
    const page = await new EventStore(this.#db, this.#ctx.signal).page(input.customer_id, {
      types: input.filter?.types,
      limit: input.limit,
      cursor: input.cursor,
    });
    return { items: page.rows.map(eventView), next_cursor: page.nextCursor };
  }

  /** customer_check_eligibility: may this customer order now, and if not, why. */
  async checkEligibility(input: ContractInput<typeof customerCheckEligibility>): Promise<ContractOutput<typeof customerCheckEligibility>> {
    requireCustomer(this.#reach, input.customer_id);
    const customer = await this.#requireCustomer(input.customer_id);
    const addresses = await new AddressStore(this.#db, this.#ctx.signal).listForCustomer(customer.id);
    const decision = evaluateEligibility(customer.status, addresses, input.shipping_address_id);
    return { customer_id: customer.id, status: customer.status, ...decision };
  }

  async #requireCustomer(id: string): Promise<CustomerRow> {
    return new CustomerStore(this.#db, this.#ctx.signal).get(id);
  }

  /**
   * Locks the customer row for the rest of the transaction and checks it may change: it exists, is not
   * anonymized, and (when the caller says which version it read) has not changed since.
   */
  async #lockForChange(customers: CustomerStore, id: string, expectedVersion: number | undefined): Promise<CustomerRow> {
    requireCustomer(this.#reach, id);
    const row = await customers.lock(id);
    if (row === undefined) throw customerNotFound(id);
    if (row.status === 'anonymized') {
      throw new AppError('PRECONDITION_FAILED', `Customer ${id} is anonymized; its data was erased and it cannot change any more.`, {
        details: { id, status: row.status },
      });
    }
    if (expectedVersion !== undefined && expectedVersion !== row.version) {
      throw new AppError(
        'CONFLICT',
        `Customer ${id} changed since you read it (version ${row.version}, you expected ${expectedVersion}). Read it again with customer_get, re-apply your change and retry.`,
        { details: { id, current_version: row.version, expected_version: expectedVersion } },
      );
    }
    return row;
  }

  async #events(db: Kysely<CustomerDatabase>, events: Array<Omit<NewEventRow, 'id' | 'actor'>>): Promise<void> {
    await new EventStore(db, this.#ctx.signal).append(events.map((event) => ({ ...event, id: newId('evt'), actor: this.#ctx.principal.id })));
  }

  #write<T>(fn: (db: Kysely<CustomerDatabase>) => Promise<T>): Promise<T> {
    return this.#db.isTransaction ? fn(this.#db) : inTransaction(this.#db, fn);
  }
}
