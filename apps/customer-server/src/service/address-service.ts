import type { Kysely } from 'kysely';
import { customerReachOf, requireCustomer } from '@mcpfed/auth';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import { MAX_ADDRESSES_PER_CUSTOMER } from '@mcpfed/contract-customer';
import type { customerAddAddress, customerCheckEligibility, customerRemoveAddress } from '@mcpfed/contract-customer';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { AddressStore } from '../store/address-store.ts';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { CustomerStore } from '../store/customer-store.ts';
import { addressView } from './customer-view.ts';
import { evaluateEligibility } from './eligibility.ts';
import { lockForChange } from './lock-for-change.ts';
import { newAddressRow } from './new-address-row.ts';
import { recordEvents } from './record-events.ts';
import { withinTransaction } from './within-transaction.ts';

/**
 * The rules of a customer's addresses: at most {@link MAX_ADDRESSES_PER_CUSTOMER}, one default per kind, every
 * change bumps the customer's version; and whether the customer may order (an active customer with a shipping
 * address). One instance serves one call, like `CustomerService`, with the same customer binding.
 */
export class AddressService {
  readonly #db: Kysely<CustomerDatabase>;
  readonly #ctx: RequestContext;

  constructor(db: Kysely<CustomerDatabase>, ctx: RequestContext) {
    this.#db = db;
    this.#ctx = ctx;
  }

  /** customer_add_address: one more address, default handling, version bump. */
  async addAddress(input: ContractInput<typeof customerAddAddress>): Promise<ContractOutput<typeof customerAddAddress>> {
    return withinTransaction(this.#db, async (db) => {
      const customers = new CustomerStore(db, this.#ctx.signal);
      const addresses = new AddressStore(db, this.#ctx.signal);
      const current = await lockForChange(customers, input.customer_id, input.expected_version, this.#ctx);
      const summary = await addresses.summary(current.id);
      if (summary.count >= MAX_ADDRESSES_PER_CUSTOMER) {
        throw new AppError('LIMIT_EXCEEDED', `A customer can have at most ${MAX_ADDRESSES_PER_CUSTOMER} addresses; remove one first.`, {
          details: { max: MAX_ADDRESSES_PER_CUSTOMER, current: summary.count },
        });
      }
      const { address } = input;
      const makeDefault = address.is_default === true || !summary.defaultKinds.includes(address.kind);
      if (makeDefault) await addresses.clearDefault(current.id, address.kind);
      const [row] = await addresses.insert([newAddressRow(current.id, address, makeDefault)]);
      if (row === undefined) throw new AppError('INTERNAL', 'address insert returned no row');
      const version = await customers.bumpVersion(current.id);
      await recordEvents(
        db,
        [{ customer_id: current.id, type: 'customer.address_added', data: { address_id: row.id, kind: row.kind, country: row.country } }],
        this.#ctx,
      );
      return { customer_id: current.id, address: addressView(row, this.#ctx.hasScope('customer:pii')), customer_version: version, replayed: false };
    });
  }

  /** customer_remove_address: delete, promote a new default, version bump. */
  async removeAddress(input: ContractInput<typeof customerRemoveAddress>): Promise<ContractOutput<typeof customerRemoveAddress>> {
    return withinTransaction(this.#db, async (db) => {
      const customers = new CustomerStore(db, this.#ctx.signal);
      const addresses = new AddressStore(db, this.#ctx.signal);
      const current = await lockForChange(customers, input.customer_id, input.expected_version, this.#ctx);
      const removed = await addresses.delete(current.id, input.address_id);
      if (removed === undefined) {
        throw new AppError('NOT_FOUND', `Customer ${current.id} has no address ${input.address_id}. List its addresses with customer_get.`, {
          details: { customer_id: current.id, address_id: input.address_id },
        });
      }
      const newDefault = removed.is_default ? await addresses.promoteLatest(current.id, removed.kind) : null;
      const version = await customers.bumpVersion(current.id);
      await recordEvents(db, [{ customer_id: current.id, type: 'customer.address_removed', data: { address_id: removed.id, kind: removed.kind } }], this.#ctx);
      return { customer_id: current.id, removed_address_id: removed.id, new_default_address_id: newDefault, customer_version: version };
    });
  }

  /** customer_check_eligibility: may this customer order now, and if not, why. */
  async checkEligibility(input: ContractInput<typeof customerCheckEligibility>): Promise<ContractOutput<typeof customerCheckEligibility>> {
    requireCustomer(customerReachOf(this.#ctx.principal), input.customer_id);
    const customer = await new CustomerStore(this.#db, this.#ctx.signal).get(input.customer_id);
    const addresses = await new AddressStore(this.#db, this.#ctx.signal).listForCustomer(customer.id);
    const decision = evaluateEligibility(customer.status, addresses, input.shipping_address_id);
    return { customer_id: customer.id, status: customer.status, ...decision };
  }
}
