import { sql } from 'kysely';
import { storableText } from './storable-text.ts';

/** One audit record (docs/architecture.md §5). */
export interface AuditRecord {
  at: Date;
  requestId: string;
  traceId: string | undefined;
  principalId: string;
  /** The delegation chain, most recent actor first (see auditIdentity); empty when the principal calls for itself. */
  actors: readonly string[];
  tool: string;
  /** `ok`, the error code, or `started` while a write tool's call runs (write-ahead). */
  outcome: string;
  durationMs: number;
  /** HMAC-SHA256 of the canonical arguments under AUDIT_DIGEST_KEY. */
  argsDigest: string;
  /** The redacted arguments (see redactArguments): already in a form PostgreSQL accepts. */
  args: unknown;
  replayed: boolean;
  dryRun: boolean;
}

/** What the end of a call changes in its write-ahead record. */
export interface AuditOutcome {
  outcome: string;
  durationMs: number;
  replayed: boolean;
  dryRun: boolean;
}

/** Longest identifier kept in an audit column (principal, tool, request id...). */
const MAX_IDENTIFIER = 512;

const COLUMNS = sql.raw('at, request_id, trace_id, principal_id, actors, tool, outcome, duration_ms, args_digest, args, replayed, dry_run');

const text = (value: string): string => storableText(value, MAX_IDENTIFIER);
const optionalText = (value: string | undefined): string | null => (value === undefined ? null : text(value));

/** The actor chain as a PostgreSQL array literal (each element quoted), or NULL when empty: unnest takes one text per row, cast back to text[]. */
const actorList = (actors: readonly string[]): string | null =>
  actors.length === 0 ? null : `{${actors.map((a) => `"${text(a).replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;

/**
 * One INSERT for any number of records: each column travels as one array parameter and `unnest` zips them
 * back into rows, so the statement text and its 12 parameters are the same whatever the batch size. Identifiers
 * pass through storableText: a token's subject is the issuer's text, not ours.
 */
export function insertAuditRecords(records: readonly AuditRecord[]) {
  const column = <T>(pick: (r: AuditRecord) => T): T[] => records.map(pick);
  return sql<{ id: string }>`INSERT INTO mcp_audit_log (${COLUMNS})
    SELECT u.at, u.request_id, u.trace_id, u.principal_id, u.actors::text[], u.tool, u.outcome, u.duration_ms, u.args_digest, u.args, u.replayed, u.dry_run FROM unnest(
      ${column((r) => r.at)}::timestamptz[], ${column((r) => text(r.requestId))}::text[], ${column((r) => optionalText(r.traceId))}::text[],
      ${column((r) => text(r.principalId))}::text[], ${column((r) => actorList(r.actors))}::text[], ${column((r) => text(r.tool))}::text[],
      ${column((r) => text(r.outcome))}::text[], ${column((r) => r.durationMs)}::float8[], ${column((r) => text(r.argsDigest))}::text[],
      ${column((r) => JSON.stringify(r.args) ?? 'null')}::jsonb[], ${column((r) => r.replayed)}::bool[], ${column((r) => r.dryRun)}::bool[])
      AS u(at, request_id, trace_id, principal_id, actors, tool, outcome, duration_ms, args_digest, args, replayed, dry_run)
    RETURNING id`;
}

/** Sets the outcome of a write-ahead record. */
export function finishAuditRecord(id: string, outcome: AuditOutcome) {
  return sql`UPDATE mcp_audit_log
    SET outcome = ${text(outcome.outcome)}, duration_ms = ${outcome.durationMs}, replayed = ${outcome.replayed}, dry_run = ${outcome.dryRun}
    WHERE id = ${id}`;
}

/**
 * Deletes at most `batchSize` records older than `retentionDays`, oldest first. Rows another replica is deleting are
 * skipped rather than waited for, and each batch is its own short statement: no long lock on the table.
 */
export function purgeAuditRecords(retentionDays: number, batchSize: number) {
  return sql`DELETE FROM mcp_audit_log WHERE id IN (
    SELECT id FROM mcp_audit_log WHERE at < now() - make_interval(days => ${retentionDays})
    ORDER BY at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`;
}
