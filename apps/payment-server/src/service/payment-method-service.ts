import { customerReachOf, requireCustomer } from '@mcpfed/auth';
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError } from '@mcpfed/errors';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import type { paymentMethodAttach, paymentMethodList } from '@mcpfed/contract-payment';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { PaymentProvider } from './provider/payment-provider.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { PaymentMethodStore } from '../store/payment-method-store.ts';
import type { PaymentMethodRow } from '../store/payment-method-store.ts';
import type { IdGenerator } from './new-id.ts';
import { paymentMethodView } from './payment-view.ts';

const ATTACHED_ID = /^pm_[0-9a-hjkmnp-tv-z]{26}$/;

/** Payment methods kept in memory per process; rows never change once attached, so a cached one is never stale. */
const CACHE_SIZE = 10_000;

/** Collaborators of the {@link PaymentMethodService}. */
export interface PaymentMethodServiceDeps {
  db: Kysely<PaymentDatabase>;
  provider: PaymentProvider;
  ids: IdGenerator;
}

/**
 * Payment methods: a card token attached once per customer (found again by the token's SHA-256 fingerprint, so
 * the token itself is never stored), listed as brand and last4.
 */
export class PaymentMethodService {
  readonly #deps: PaymentMethodServiceDeps;
  // Keyed by id and by customer + token fingerprint; payment_authorize resolves its method on every call.
  readonly #cache = new Map<string, PaymentMethodRow>();

  constructor(deps: PaymentMethodServiceDeps) {
    this.#deps = deps;
  }

  /** payment_method_attach. */
  async attach(
    input: ContractInput<typeof paymentMethodAttach>,
    ctx: Pick<RequestContext, 'principal' | 'signal'>,
  ): Promise<ContractOutput<typeof paymentMethodAttach>> {
    requireCustomer(customerReachOf(ctx.principal), input.customer_id);
    const { row, created } = await this.#attach(input.customer_id, input.token, ctx.signal);
    return { payment_method: paymentMethodView(row), created };
  }

  /** payment_method_list. */
  async list(
    input: ContractInput<typeof paymentMethodList>,
    ctx: Pick<RequestContext, 'principal' | 'signal'>,
  ): Promise<ContractOutput<typeof paymentMethodList>> {
    requireCustomer(customerReachOf(ctx.principal), input.customer_id);
    const page = await new PaymentMethodStore(this.#deps.db, ctx.signal).page(input.customer_id, input.limit, input.cursor);
    return { items: page.rows.map(paymentMethodView), next_cursor: page.nextCursor };
  }

  /**
   * The method payment_authorize charges: an attached id that must belong to the customer, or a provider token,
   * attached on the fly (the same token gives the same method).
   */
  async resolveForCharge(customerId: string, ref: string, ctx: Pick<RequestContext, 'signal'>): Promise<PaymentMethodRow> {
    if (!ATTACHED_ID.test(ref)) return (await this.#attach(customerId, ref, ctx.signal)).row;
    const row = this.#cache.get(ref) ?? this.#remember(await new PaymentMethodStore(this.#deps.db, ctx.signal).find(ref));
    if (row === undefined || row.customer_id !== customerId) {
      throw new AppError(
        'NOT_FOUND',
        `Payment method ${ref} is not attached to customer ${customerId}. List the customer's methods with payment_method_list or attach one with payment_method_attach.`,
        { details: { payment_method: ref, customer_id: customerId } },
      );
    }
    return row;
  }

  async #attach(customerId: string, token: string, signal: AbortSignal): Promise<{ row: PaymentMethodRow; created: boolean }> {
    const { provider } = this.#deps;
    const methods = new PaymentMethodStore(this.#deps.db, signal);
    const fingerprint = createHash('sha256').update(token).digest('hex');
    const cacheKey = `${customerId}\u0000${provider.name}\u0000${fingerprint}`;
    const known = this.#cache.get(cacheKey) ?? this.#remember(await methods.findByFingerprint(customerId, provider.name, fingerprint), cacheKey);
    if (known !== undefined) return { row: known, created: false };
    const card = await provider.attachPaymentMethod({ customerId, token }, signal);
    const inserted = await methods.insert({
      id: this.#deps.ids('pm'),
      customer_id: customerId,
      provider: provider.name,
      provider_method_ref: card.ref,
      token_fingerprint: fingerprint,
      brand: card.brand,
      last4: card.last4,
      exp_month: card.expMonth,
      exp_year: card.expYear,
    });
    if (inserted !== undefined) return { row: this.#remember(inserted, cacheKey) as PaymentMethodRow, created: true };
    // A concurrent attach of the same token won the insert: that method is ours too.
    const winner = await methods.findByFingerprint(customerId, provider.name, fingerprint);
    if (winner === undefined) throw new AppError('INTERNAL', 'attached payment method not found after a concurrent insert');
    return { row: winner, created: false };
  }

  #remember(row: PaymentMethodRow | undefined, fingerprintKey?: string): PaymentMethodRow | undefined {
    if (row === undefined) return undefined;
    if (this.#cache.size >= CACHE_SIZE) this.#cache.clear();
    this.#cache.set(row.id, row);
    if (fingerprintKey !== undefined) this.#cache.set(fingerprintKey, row);
    return row;
  }
}
