import { sql } from 'kysely';
import type { QueryExecutorProvider } from 'kysely';
import { AppError } from '@mcpfed/errors';

/** What a claim found. */
export type IdempotencyClaim = { status: 'claimed' } | { status: 'replay'; response: Record<string, unknown> };

/** Identifies one idempotent call. */
export interface IdempotencyKeyRef {
  principalId: string;
  tool: string;
  key: string;
  requestHash: string;
}

/**
 * Idempotency records in the domain's database (docs/architecture.md §4). Used inside the write's transaction:
 * `claim` inserts the key first, so a concurrent call with the same key blocks on the unique index until the
 * first commits (then replays its response) or rolls back (then proceeds itself) — one key, one effect.
 */
export class IdempotencyStore {
  /** Claims the key, or returns the stored response of an earlier call with the same key and arguments. */
  async claim(trx: QueryExecutorProvider, ref: IdempotencyKeyRef): Promise<IdempotencyClaim> {
    const inserted = await sql<{ key: string }>`
      INSERT INTO mcp_idempotency_keys (principal_id, tool, key, request_hash)
      VALUES (${ref.principalId}, ${ref.tool}, ${ref.key}, ${ref.requestHash})
      ON CONFLICT DO NOTHING
      RETURNING key`.execute(trx);
    if (inserted.rows.length === 1) return { status: 'claimed' };
    const existing = await sql<{ request_hash: string; response: Record<string, unknown> | null }>`
      SELECT request_hash, response FROM mcp_idempotency_keys
      WHERE principal_id = ${ref.principalId} AND tool = ${ref.tool} AND key = ${ref.key}`.execute(trx);
    const row = existing.rows[0];
    if (!row) throw new AppError('CONFLICT', 'The idempotency key is being used by a concurrent call; retry shortly.', { retryable: true });
    if (row.request_hash !== ref.requestHash) {
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency key "${ref.key}" was already used for ${ref.tool} with different arguments. Use a new key for a new operation, or resend the original arguments to get the original result.`,
        { details: { idempotency_key: ref.key } },
      );
    }
    if (row.response === null) {
      throw new AppError('CONFLICT', 'The earlier call with this idempotency key has not finished; retry shortly.', { retryable: true });
    }
    return { status: 'replay', response: row.response };
  }

  /** Stores the response of a claimed key, in the same transaction as the write. */
  async complete(trx: QueryExecutorProvider, ref: IdempotencyKeyRef, response: unknown): Promise<void> {
    await sql`
      UPDATE mcp_idempotency_keys SET response = ${JSON.stringify(response)}::jsonb
      WHERE principal_id = ${ref.principalId} AND tool = ${ref.tool} AND key = ${ref.key}`.execute(trx);
  }

  /** Deletes records older than `retentionMs`; returns how many. Run periodically by the host. */
  async purgeExpired(db: QueryExecutorProvider, retentionMs: number): Promise<number> {
    const result = await sql`DELETE FROM mcp_idempotency_keys WHERE created_at < now() - make_interval(secs => ${retentionMs / 1000})`.execute(db);
    return Number(result.numAffectedRows ?? 0);
  }
}

/**
 * Deletes stored idempotent responses that mention `entityId` (e.g. on erasure of a person: a stored
 * response may hold their unmasked data). Scans the table; meant for rare, deliberate calls, inside the
 * caller's transaction.
 */
export async function purgeIdempotencyRecordsMentioning(db: QueryExecutorProvider, entityId: string): Promise<number> {
  if (entityId.length < 6) throw new Error('entityId is too short to purge by');
  const result = await sql`DELETE FROM mcp_idempotency_keys WHERE strpos(response::text, ${JSON.stringify(entityId).slice(1, -1)}) > 0`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
