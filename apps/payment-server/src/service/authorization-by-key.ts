import type { Kysely } from 'kysely';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { OperationStore } from '../store/operation-store.ts';
import type { PaymentDatabase, StoredFailure } from '../store/payment-database.ts';
import type { IdGenerator } from './new-id.ts';
import type { OperationRunner } from './operation-runner.ts';
import { providerKeyOf } from './provider-key.ts';

/**
 * The request hash of an authorization key barred by payment_void before any authorization was made with it: no
 * real request hashes to it, and the runner replays the stored refusal to whatever arrives later with the key.
 */
export const BARRED_REQUEST_HASH = 'barred-by-payment-void';

const MAX_LOOKS = 4;

/** Collaborators of {@link authorizationByKey}. */
export interface AuthorizationByKeyDeps {
  db: Kysely<PaymentDatabase>;
  runner: OperationRunner;
  ids: IdGenerator;
}

/**
 * The payment that the caller's payment_authorize with idempotency key `key` made, for payment_void
 * `authorization_key` (a checkout whose authorize answer was lost, e.g. a TIMEOUT after the provider acted). A
 * pending authorization is settled first by asking the provider (as the reconciler would); a key nothing was
 * authorized with is barred, so an authorize request still on its way cannot leave a hold behind.
 * @throws AppError PRECONDITION_FAILED (`details.authorization`: `none` or `failed`) when nothing is held under the
 *   key; CONFLICT (retryable) while the authorization is in progress at the provider.
 */
export async function authorizationByKey(deps: AuthorizationByKeyDeps, key: string, ctx: Pick<RequestContext, 'principal' | 'signal'>): Promise<string> {
  const operations = new OperationStore(deps.db, ctx.signal);
  const principalId = ctx.principal.id;
  for (let look = 1; look <= MAX_LOOKS; look++) {
    const op = await operations.find(principalId, 'authorize', key);
    if (op === undefined) {
      const barred = await operations.bar({
        id: deps.ids('op'),
        principalId: principalId,
        idempotencyKey: key,
        requestHash: BARRED_REQUEST_HASH,
        providerKey: providerKeyOf(principalId, 'authorize', key, BARRED_REQUEST_HASH),
        paymentId: deps.ids('pay'),
        failure: barredFailure(key),
      });
      if (barred !== undefined) throw nothingHeld(key, 'none');
      continue;
    }
    if (op.status === 'succeeded') return op.payment_id;
    if (op.status === 'failed') throw nothingHeld(key, op.request_hash === BARRED_REQUEST_HASH ? 'none' : 'failed');
    // Pending: its caller gave up (a TIMEOUT) or is still at the provider. Settle it now, or say it is busy.
    if ((await deps.runner.resolveUnattended(op, ctx)) === 'busy') {
      throw new AppError(
        'CONFLICT',
        `The authorization made with key "${key}" is still in progress at the provider; retry shortly with the same idempotency key.`,
        {
          retryable: true,
          details: { authorization_key: key },
        },
      );
    }
  }
  throw new AppError('CONFLICT', `The authorization made with key "${key}" changed while it was being looked up; retry with the same idempotency key.`, {
    retryable: true,
    details: { authorization_key: key },
  });
}

function barredFailure(key: string): StoredFailure {
  return {
    code: 'PRECONDITION_FAILED',
    message: `Authorization key "${key}" was closed by payment_void before any authorization was made with it; nothing is held. Use a new idempotency key for a new authorization.`,
    details: { authorization: 'none', authorization_key: key },
  };
}

function nothingHeld(key: string, authorization: 'none' | 'failed'): AppError {
  const why = authorization === 'none' ? 'no authorization was made with it (a later payment_authorize with it is refused)' : 'its authorization was refused';
  return new AppError('PRECONDITION_FAILED', `Nothing is held under authorization key "${key}": ${why}. There is nothing to void.`, {
    details: { authorization, authorization_key: key },
  });
}
