import type { Kysely } from '@mcpfed/db';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { CallerTokenStore } from '../store/caller-token-store.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import type { TokenSealer } from './token-sealer.ts';

/**
 * How the order server authenticates to the customer, product and payment servers for a caller
 * (`ORDER_UPSTREAM_AUTH`): `exchange` (default) trades the caller's token for one per upstream (RFC 8693: `sub` = the
 * caller, `act.sub` = the order server); `service` sends the order server's own client-credentials token, for a
 * provider without token exchange (limits and audit upstream then count against the order server, and only the
 * order server's own checks bind the caller to its customer).
 */
export type UpstreamAuth = 'exchange' | 'service';

/** Whose identity a checkout run calls upstreams with. */
export type CheckoutIdentity =
  /** The caller's token, to exchange per upstream. */
  | { readonly kind: 'caller'; readonly subjectToken: string }
  /** The order server's own token: `service` mode, or a caller without a token (a trusted stdio session). */
  | { readonly kind: 'service' }
  /** The caller's token expired (or can no longer be opened): nothing more may be done in the caller's name. */
  | { readonly kind: 'lapsed' };

/** What {@link UpstreamIdentity} needs. */
export interface UpstreamIdentityDeps {
  readonly mode: UpstreamAuth;
  readonly sealer: TokenSealer;
  /**
   * A token this close to its expiry is not used any more, in seconds: an exchange, and the calls with its result,
   * must finish before it lapses. Default 30.
   */
  readonly marginSeconds?: number;
}

/**
 * Keeps a caller's token for the checkout that runs later in a worker (sealed in `checkout_caller_tokens`, never in
 * Redis or the job), and tells a run whose identity to use. Exactly these steps run under which identity:
 * - order_place's catalog lookup, order_cancel / order_refund / order_fulfill while their caller waits: the caller's.
 * - the checkout's forward steps (eligibility, reserve, authorize, capture, commit): the caller's, while its token is
 *   valid; after it lapsed the checkout is not continued in anybody's name: it compensates and fails.
 * - compensation (void, release): the caller's while valid, else the order server's own token; its refund of the
 *   checkout's own capture: always the order server's own token (nobody asked for it, so no person is asked).
 * - the sweeper finishing an abandoned cancel/refund/fulfil, the outbox relay: the order server's own token.
 */
export class UpstreamIdentity {
  readonly #deps: UpstreamIdentityDeps;

  constructor(deps: UpstreamIdentityDeps) {
    this.#deps = Object.freeze({ ...deps });
  }

  get mode(): UpstreamAuth {
    return this.#deps.mode;
  }

  /** Keeps the caller's token for the order's checkout, in the order's transaction (`exchange` mode, a caller with a token). */
  async keep(trx: Kysely<OrderDatabase>, orderId: string, ctx: Pick<RequestContext, 'principal' | 'signal'>): Promise<void> {
    const { token, expiresAt } = ctx.principal;
    if (this.#deps.mode !== 'exchange' || token === undefined || expiresAt === undefined) return;
    await new CallerTokenStore(trx, ctx.signal).insert(orderId, { sealed: this.#deps.sealer.seal(token, orderId), expiresAt: new Date(expiresAt * 1000) });
  }

  /** The identity a run of the order's checkout calls upstreams with, now. */
  async forCheckout(db: Kysely<OrderDatabase>, orderId: string, ctx: Pick<RequestContext, 'signal'>): Promise<CheckoutIdentity> {
    if (this.#deps.mode !== 'exchange') return { kind: 'service' };
    const stored = await new CallerTokenStore(db, ctx.signal).find(orderId);
    if (stored === undefined) return { kind: 'service' };
    const token = this.#deps.sealer.open(stored.sealed, orderId);
    const usableUntil = stored.expiresAt.getTime() - (this.#deps.marginSeconds ?? 30) * 1000;
    return token === undefined || usableUntil <= Date.now() ? { kind: 'lapsed' } : { kind: 'caller', subjectToken: token };
  }

  /** Drops the tokens that ended checkouts kept (a crash between their end and {@link forget}); how many went. */
  async forgetEnded(db: Kysely<OrderDatabase>, limit: number, ctx: Pick<RequestContext, 'signal'>): Promise<number> {
    return new CallerTokenStore(db, ctx.signal).deleteEnded(limit);
  }

  /** Drops the kept token: the checkout ended, nothing will act for the caller any more. */
  async forget(db: Kysely<OrderDatabase>, orderId: string, ctx: Pick<RequestContext, 'signal'>): Promise<void> {
    await new CallerTokenStore(db, ctx.signal).delete(orderId);
  }
}
