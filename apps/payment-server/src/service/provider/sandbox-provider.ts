import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely, Transaction } from 'kysely';
import { sql } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type {
  AuthorizeRequest,
  CaptureRequest,
  ChargeFilter,
  PaymentProvider,
  ProviderCharge,
  ProviderLookup,
  ProviderPaymentMethod,
  ProviderRefund,
  RefundRequest,
  VoidRequest,
} from './payment-provider.ts';
import { SANDBOX_CARDS } from './sandbox-cards.ts';
import type { SandboxCard } from './sandbox-cards.ts';
import { chargeOf, noCharge, notAllowed } from './sandbox-charge.ts';
import type { SandboxChargeRow, SandboxDatabase } from './sandbox-database.ts';
import { SandboxRequestLog, requestHashOf, storableError } from './sandbox-request-log.ts';

/** Settings of the {@link SandboxProvider}. */
export interface SandboxProviderConfig {
  /** The payment database (`db.withTables<SandboxDatabase>()`); the sandbox keeps its records in its schema `sandbox`. */
  db: Kysely<SandboxDatabase>;
  /** How long `pm_card_slow` waits before acting, in milliseconds. Default 3000. */
  slowMs?: number;
}

// Tokens of payment methods (`card_…`) and charges (`ch_…`) kept per process: a method's id is derived from its
// customer and token and a charge never changes its method, so a remembered token is never stale.
const TOKEN_CACHE_SIZE = 10_000;

/**
 * The built-in provider (the default): deterministic test cards (`SANDBOX_CARDS`), records in schema `sandbox`,
 * idempotent by request key like a real provider (SandboxRequestLog). Each request runs in its own transaction on
 * the pool — never inside one of the payment service's transactions, exactly as a remote provider would.
 */
export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox';
  readonly #db: Kysely<SandboxDatabase>;
  readonly #requests: SandboxRequestLog;
  readonly #slowMs: number;
  readonly #tokens = new Map<string, string>();

  constructor(config: SandboxProviderConfig) {
    const slowMs = config.slowMs ?? 3000;
    if (!Number.isInteger(slowMs) || slowMs < 0 || slowMs > 600_000) throw new RangeError('SandboxProvider: slowMs must be an integer from 0 to 600000');
    this.#db = config.db;
    this.#requests = new SandboxRequestLog(config.db);
    this.#slowMs = slowMs;
  }

  async attachPaymentMethod(request: { customerId: string; token: string }, signal?: AbortSignal): Promise<ProviderPaymentMethod> {
    const card = SANDBOX_CARDS[request.token];
    if (card === undefined) {
      throw new AppError(
        'VALIDATION_FAILED',
        `The sandbox provider does not know the token "${request.token}". Use a test token: ${Object.keys(SANDBOX_CARDS).join(', ')}.`,
        { details: { field: 'token', known_tokens: Object.keys(SANDBOX_CARDS) } },
      );
    }
    const ref = `card_${createHash('sha256').update(`${request.customerId}\0${request.token}`).digest('hex').slice(0, 24)}`;
    await this.#db
      .insertInto('sandbox.payment_methods')
      .values({
        id: ref,
        customer_ref: request.customerId,
        token: request.token,
        brand: card.brand,
        last4: card.last4,
        exp_month: card.expMonth,
        exp_year: card.expYear,
      })
      .onConflict((oc) => oc.doNothing())
      .execute({ signal });
    this.#rememberToken(ref, request.token);
    return { ref, brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear };
  }

  async authorize(request: AuthorizeRequest, signal?: AbortSignal): Promise<ProviderCharge> {
    const token =
      this.#tokens.get(request.paymentMethodRef) ??
      this.#rememberToken(
        request.paymentMethodRef,
        (await this.#db.selectFrom('sandbox.payment_methods').select('token').where('id', '=', request.paymentMethodRef).executeTakeFirst({ signal }))?.token,
      );
    const card = token === undefined ? undefined : SANDBOX_CARDS[token];
    if (card === undefined) {
      throw new AppError('VALIDATION_FAILED', 'The provider does not know this payment method; attach it again with payment_method_attach.', {
        details: { field: 'payment_method' },
      });
    }
    await this.#pace(card, signal);
    const { idempotencyKey, ...rest } = request;
    const requestHash = requestHashOf('authorize', rest);
    const declineCode = card.behavior === 'decline' ? (card.declineCode ?? 'card_declined') : null;
    const charge: ProviderCharge = {
      object: 'charge',
      id: `ch_${randomBytes(12).toString('hex')}`,
      status: declineCode === null ? 'authorized' : 'declined',
      currency: request.currency,
      amount: request.amount,
      amountCaptured: 0,
      amountRefunded: 0,
      declineCode,
      metadata: request.metadata,
      createdAt: new Date().toISOString(),
    };
    const declined =
      declineCode === null
        ? undefined
        : new AppError('PAYMENT_DECLINED', `The card was declined (${declineCode}). Ask the customer for another payment method.`, {
            details: { decline_code: declineCode, provider_charge_id: charge.id },
          });
    // Creating a charge touches no existing row, so the request record and the charge go in one statement (atomic
    // on its own): the cheapest way to keep the sandbox from dominating a benchmark of the server in front of it.
    const { rows } = await sql<{ id: string }>`
      WITH claimed AS (
        INSERT INTO sandbox.requests (idempotency_key, kind, request_hash, response, error)
        VALUES (${idempotencyKey}, 'authorize', ${requestHash},
                ${declined === undefined ? JSON.stringify(charge) : null}::jsonb, ${declined === undefined ? null : JSON.stringify(storableError(declined))}::jsonb)
        ON CONFLICT DO NOTHING
        RETURNING idempotency_key
      )
      INSERT INTO sandbox.charges (id, payment_method_id, behavior, currency, amount, status, decline_code, metadata, created_at, updated_at)
      SELECT ${charge.id}, ${request.paymentMethodRef}, ${card.behavior}, ${charge.currency}, ${charge.amount}::bigint, ${charge.status},
             ${declineCode}, ${JSON.stringify(charge.metadata)}::jsonb, ${charge.createdAt}::timestamptz, ${charge.createdAt}::timestamptz
        FROM claimed
      RETURNING id`.execute(this.#db);
    if (rows.length === 0) return this.#requests.stored<ProviderCharge>(idempotencyKey, 'authorize', requestHash);
    this.#rememberToken(charge.id, token);
    if (declined !== undefined) throw declined;
    this.#afterActing(card);
    return charge;
  }

  async capture(request: CaptureRequest, signal?: AbortSignal): Promise<ProviderCharge> {
    const card = await this.#cardOfCharge(request.chargeId, signal);
    const { idempotencyKey, ...rest } = request;
    return this.#run(card, idempotencyKey, 'capture', rest, signal, (trx) =>
      this.#settleAuthorized(trx, request.chargeId, 'capture', { status: 'captured', amount_captured: request.amount }),
    );
  }

  async void(request: VoidRequest, signal?: AbortSignal): Promise<ProviderCharge> {
    const card = await this.#cardOfCharge(request.chargeId, signal);
    const { idempotencyKey, ...rest } = request;
    return this.#run(card, idempotencyKey, 'void', rest, signal, (trx) => this.#settleAuthorized(trx, request.chargeId, 'void', { status: 'voided' }));
  }

  async refund(request: RefundRequest, signal?: AbortSignal): Promise<ProviderRefund> {
    const card = await this.#cardOfCharge(request.chargeId, signal);
    const { idempotencyKey, ...rest } = request;
    return this.#run(card, idempotencyKey, 'refund', rest, signal, async (trx) => {
      const charge = await this.#lockCharge(trx, request.chargeId);
      if (charge.status !== 'captured') return notAllowed(`refund a ${charge.status} charge`, charge);
      if (Number(charge.amount_refunded) + request.amount > Number(charge.amount_captured)) return notAllowed('refund more than was captured', charge);
      const refund = await trx
        .insertInto('sandbox.refunds')
        .values({ id: `rf_${randomBytes(12).toString('hex')}`, charge_id: charge.id, amount: request.amount, reason: request.reason })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('sandbox.charges')
        .set({ amount_refunded: sql<string>`amount_refunded + ${request.amount}`, updated_at: sql<Date>`now()` })
        .where('id', '=', charge.id)
        .execute();
      return { object: 'refund', id: refund.id, chargeId: charge.id, amount: Number(refund.amount), createdAt: refund.created_at.toISOString() };
    });
  }

  async lookup(idempotencyKey: string, signal?: AbortSignal): Promise<ProviderLookup> {
    return this.#requests.lookup(idempotencyKey, signal);
  }

  async getCharges(ids: readonly string[], signal?: AbortSignal): Promise<ProviderCharge[]> {
    if (ids.length === 0) return [];
    const rows = await this.#db
      .selectFrom('sandbox.charges')
      .selectAll()
      .where('id', 'in', [...ids])
      .execute({ signal });
    return rows.map(chargeOf);
  }

  async listCharges(filter: ChargeFilter, signal?: AbortSignal): Promise<ProviderCharge[]> {
    const rows = await this.#db
      .selectFrom('sandbox.charges')
      .selectAll()
      .$if('orderRef' in filter, (qb) => qb.where(sql<string>`metadata ->> 'order_ref'`, '=', (filter as { orderRef: string }).orderRef))
      .$if('createdFrom' in filter, (qb) =>
        qb.where('created_at', '>=', (filter as { createdFrom: Date }).createdFrom).where('created_at', '<', (filter as { createdTo: Date }).createdTo),
      )
      .orderBy('created_at')
      .orderBy('id')
      .limit(filter.limit)
      .execute({ signal });
    return rows.map(chargeOf);
  }

  async #cardOfCharge(chargeId: string, signal: AbortSignal | undefined): Promise<SandboxCard> {
    const token =
      this.#tokens.get(chargeId) ??
      this.#rememberToken(
        chargeId,
        (
          await this.#db
            .selectFrom('sandbox.charges as c')
            .innerJoin('sandbox.payment_methods as m', 'm.id', 'c.payment_method_id')
            .select('m.token')
            .where('c.id', '=', chargeId)
            .executeTakeFirst({ signal })
        )?.token,
      );
    const card = token === undefined ? undefined : SANDBOX_CARDS[token];
    if (card === undefined) throw noCharge(chargeId);
    return card;
  }

  #rememberToken(id: string, token: string | undefined): string | undefined {
    if (token === undefined) return undefined;
    if (this.#tokens.size >= TOKEN_CACHE_SIZE) this.#tokens.clear();
    this.#tokens.set(id, token);
    return token;
  }

  async #lockCharge(trx: Transaction<SandboxDatabase>, id: string): Promise<SandboxChargeRow> {
    const charge = await trx.selectFrom('sandbox.charges').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    // The card may come from the token cache, so the charge's existence is settled here.
    if (charge === undefined) throw noCharge(id);
    return charge;
  }

  /** Captures (at most the authorized amount) or voids an authorized charge; any other status is refused. */
  async #settleAuthorized(
    trx: Transaction<SandboxDatabase>,
    chargeId: string,
    verb: 'capture' | 'void',
    change: { status: 'captured'; amount_captured: number } | { status: 'voided' },
  ): Promise<ProviderCharge | AppError> {
    const charge = await this.#lockCharge(trx, chargeId);
    if (charge.status !== 'authorized') return notAllowed(`${verb} a ${charge.status} charge`, charge);
    if (change.status === 'captured' && change.amount_captured > Number(charge.amount)) return notAllowed('capture more than was authorized', charge);
    const row = await trx
      .updateTable('sandbox.charges')
      .set({ ...change, updated_at: sql<Date>`now()` })
      .where('id', '=', charge.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return chargeOf(row);
  }

  /**
   * One money-moving request on an existing charge: pace it (pm_card_slow), then act at most once per idempotency
   * key — the request record and the action commit together — and finally play pm_card_timeout's trick.
   */
  async #run<T extends ProviderCharge | ProviderRefund>(
    card: SandboxCard,
    idempotencyKey: string,
    kind: string,
    request: Record<string, unknown>,
    signal: AbortSignal | undefined,
    act: (trx: Transaction<SandboxDatabase>) => Promise<T | AppError>,
  ): Promise<T> {
    await this.#pace(card, signal);
    const requestHash = requestHashOf(kind, request);
    const outcome = await this.#requests.record(idempotencyKey, kind, requestHash, act);
    if ('replay' in outcome) return this.#requests.stored<T>(idempotencyKey, kind, requestHash);
    if ('failure' in outcome) throw outcome.failure;
    this.#afterActing(card);
    return outcome.result;
  }

  /** pm_card_slow: wait before acting (a cancelled wait means the provider never acted). */
  async #pace(card: SandboxCard, signal: AbortSignal | undefined): Promise<void> {
    if (card.behavior !== 'slow' || this.#slowMs === 0) return;
    try {
      await sleep(this.#slowMs, undefined, signal === undefined ? undefined : { signal });
    } catch (error) {
      throw new AppError('TIMEOUT', 'The call was cancelled while the (slow) provider had not acted yet.', { cause: error, retryable: true });
    }
  }

  /** pm_card_timeout: the first request of a key acted and committed, and now its answer is lost. */
  #afterActing(card: SandboxCard): void {
    if (card.behavior !== 'timeout') return;
    throw new AppError('TIMEOUT', 'The payment provider did not answer in time; it may have acted. Retry with the same idempotency key.', {
      retryable: true,
      details: { provider: this.name },
    });
  }
}
