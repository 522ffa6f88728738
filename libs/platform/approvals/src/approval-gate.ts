import { createHash } from 'node:crypto';
import { sql } from '@mcpfed/db';
import type { Kysely } from '@mcpfed/db';
import { newId } from '@mcpfed/db';
import { AppError, parseOptions } from '@mcpfed/errors';
import { canonicalJson } from '@mcpfed/mcp-runtime';
import { z } from 'zod';
import { statusOf } from './approval-record.ts';
import type { ApprovalRow, ApprovalStatus, ApprovalSummary, ApprovalTables } from './approval-record.ts';

/** Settings of {@link ApprovalGate}. */
export interface ApprovalGateOptions {
  /** How long a person has to decide, and the caller then has to call again after an approval, in milliseconds. */
  ttlMs: number;
  /** The approval page's base URL, given the approval id (`<PUBLIC_URL>/approvals/<id>`). */
  urlOf: (id: string) => string;
}

const approvalGateOptions = z.object({
  ttlMs: z.number({ error: 'must be a positive integer' }).int({ error: 'must be a positive integer' }).min(1, { error: 'must be a positive integer' }),
  urlOf: z.custom<(id: string) => string>((value) => typeof value === 'function', { error: 'must be a function' }),
});

/** The operation a caller asks for: what the approval is bound to, and what the person sees. */
export interface ApprovalRequest {
  /** The tool, e.g. `order_place`. */
  readonly operation: string;
  /** The caller's principal id (the token's `sub`): the only person who may decide. */
  readonly callerPrincipal: string;
  readonly idempotencyKey: string;
  /** Digest of every argument but the idempotency key and the wait (`digest` of @mcpfed/mcp-runtime). */
  readonly argsDigest: string;
  readonly customerId: string | null;
  readonly summary: ApprovalSummary;
}

/** The approval of one operation as it stands now. */
export interface ApprovalState {
  readonly id: string;
  readonly status: ApprovalStatus;
  readonly url: string;
  readonly expiresAt: Date;
  readonly summary: ApprovalSummary;
}

/** What a tool answers while an approval is pending: the link and what to do next (contract `approvalRequiredSchema`). */
export interface ApprovalRequiredAnswer {
  status: 'approval_required';
  approval_id: string;
  approval_url: string;
  expires_at: string;
  amount: number;
  currency: string;
  next_step: string;
}

/**
 * Approvals of one server's gated operations (docs/security.md, "A person approves money"). An approval is bound to
 * the exact operation: a hash of the tool, the caller's principal, the idempotency key and the digest of the other
 * arguments, so it can serve no other call; it is decided once, on the approval page, by the caller's own person;
 * it expires; and {@link consume} uses it once, in the transaction that starts the operation.
 */
export class ApprovalGate {
  readonly #options: ApprovalGateOptions;

  /** @throws AppError VALIDATION_FAILED naming the first bad option. */
  constructor(options: ApprovalGateOptions) {
    this.#options = parseOptions('ApprovalGate', approvalGateOptions, options);
  }

  /** The binding hash of a request. */
  static bindingOf(request: Pick<ApprovalRequest, 'operation' | 'callerPrincipal' | 'idempotencyKey' | 'argsDigest'>): string {
    return createHash('sha256')
      .update(canonicalJson([request.operation, request.callerPrincipal, request.idempotencyKey, request.argsDigest]))
      .digest('hex');
  }

  /** The approval of `request`, recorded `pending` the first time it is asked for. */
  async check<DB extends ApprovalTables>(db: Kysely<DB>, request: ApprovalRequest): Promise<ApprovalState> {
    const binding = ApprovalGate.bindingOf(request);
    const expiresAt = new Date(Date.now() + this.#options.ttlMs);
    await sql`
      INSERT INTO approvals (id, operation, binding, caller_principal, caller_subject, customer_id, summary, expires_at)
      VALUES (${newId('apr')}, ${request.operation}, ${binding}, ${request.callerPrincipal}, ${request.callerPrincipal},
              ${request.customerId}, ${JSON.stringify(request.summary)}::jsonb, ${expiresAt})
      ON CONFLICT (binding) DO NOTHING`.execute(db);
    const { rows } = await sql<ApprovalRow>`SELECT * FROM approvals WHERE binding = ${binding}`.execute(db);
    const row = rows[0];
    if (row === undefined) throw new AppError('CONFLICT', 'The approval is being written; retry shortly.', { retryable: true });
    return this.#state(row);
  }

  /**
   * Marks an approved, unexpired approval used, in the caller's transaction (the one that starts the operation), so
   * an approval starts exactly one operation. False when it is not (or no longer) usable.
   */
  async consume<DB extends ApprovalTables>(trx: Kysely<DB>, id: string): Promise<boolean> {
    const { rows } = await sql<{ id: string }>`
      UPDATE approvals SET status = 'used', used_at = now()
       WHERE id = ${id} AND status = 'approved' AND expires_at > now()
      RETURNING id`.execute(trx);
    return rows.length === 1;
  }

  /** The answer of a gated tool while its approval is pending. */
  required(state: ApprovalState): ApprovalRequiredAnswer {
    const { amount, currency, action } = state.summary;
    return {
      status: 'approval_required',
      approval_id: state.id,
      approval_url: state.url,
      expires_at: state.expiresAt.toISOString(),
      amount,
      currency,
      next_step:
        `A person must approve this ${action === 'refund' ? 'refund' : 'charge'} before it happens. Give the user this link: ${state.url} - ` +
        `they log in, check it and approve or decline. Then call this tool again with the SAME idempotency_key and arguments ` +
        `(before ${state.expiresAt.toISOString()}) to get the outcome. Do not use a new key: it would need a new approval.`,
    };
  }

  /** The error of a call whose approval was declined, expired or already used. */
  refusal(state: ApprovalState): AppError {
    const details = { approval: state.status, approval_id: state.id };
    switch (state.status) {
      case 'declined':
        return new AppError('FORBIDDEN', 'The person declined this operation. Nothing was charged or refunded; do not retry it.', { details });
      case 'expired':
        return new AppError(
          'PRECONDITION_FAILED',
          'The approval of this operation expired before it was used. Nothing was charged or refunded; call again with a NEW idempotency_key to ask for a new approval.',
          { details },
        );
      case 'used':
        return new AppError('CONFLICT', 'This approval was already used for its operation; it cannot start another.', { details });
      default:
        return new AppError('PRECONDITION_FAILED', 'This operation waits for a person to approve it.', { details });
    }
  }

  #state(row: ApprovalRow): ApprovalState {
    return Object.freeze({ id: row.id, status: statusOf(row), url: this.#options.urlOf(row.id), expiresAt: row.expires_at, summary: row.summary });
  }
}
