import { sql } from 'kysely';
import type { QueryExecutorProvider } from 'kysely';
import type { Logger } from '@mcpfed/telemetry';

/** One audit record (ARCHITECTURE §5). */
export interface AuditRecord {
  at: Date;
  requestId: string;
  traceId: string | undefined;
  principalId: string;
  actingFor: string | undefined;
  tool: string;
  /** `ok` or the error code. */
  outcome: string;
  durationMs: number;
  argsDigest: string;
  args: unknown;
  replayed: boolean;
  dryRun: boolean;
}

/** Settings of an {@link AuditLog}. */
export interface AuditLogConfig {
  /** The domain database (pool) that buffered records are flushed to. */
  db: QueryExecutorProvider;
  logger: Logger;
  /** How often buffered records are written, in milliseconds. Default 1000. */
  flushIntervalMs?: number;
  /** Flush early when this many records are buffered. Default 200. */
  maxBuffered?: number;
  /** Records kept at most while the database is unreachable; older ones are dropped (and logged). Default 10000. */
  maxPending?: number;
}

const COLUMNS = sql.raw(
  'at, request_id, trace_id, principal_id, acting_for, tool, outcome, duration_ms, args_digest, args, replayed, dry_run',
);

/**
 * One INSERT for any number of records: each column travels as one array parameter and `unnest` zips them
 * back into rows, so the statement text and its 12 parameters are the same whatever the batch size.
 */
function insertBatch(records: readonly AuditRecord[]) {
  const column = <T>(pick: (r: AuditRecord) => T): T[] => records.map(pick);
  return sql`INSERT INTO mcp_audit_log (${COLUMNS})
    SELECT * FROM unnest(
      ${column((r) => r.at)}::timestamptz[], ${column((r) => r.requestId)}::text[], ${column((r) => r.traceId ?? null)}::text[],
      ${column((r) => r.principalId)}::text[], ${column((r) => r.actingFor ?? null)}::text[], ${column((r) => r.tool)}::text[],
      ${column((r) => r.outcome)}::text[], ${column((r) => r.durationMs)}::float8[], ${column((r) => r.argsDigest)}::text[],
      ${column((r) => JSON.stringify(r.args))}::jsonb[], ${column((r) => r.replayed)}::bool[], ${column((r) => r.dryRun)}::bool[])`;
}

/**
 * The audit trail in the domain's own database. A successful write's record is inserted in the write's own
 * transaction (`writeInTransaction`), so it commits or rolls back with it. Reads and failures are buffered
 * and inserted in batches: a crash loses at most one flush interval of those, never a write's record.
 */
export class AuditLog {
  readonly #db: QueryExecutorProvider;
  readonly #logger: Logger;
  readonly #maxBuffered: number;
  readonly #maxPending: number;
  #buffer: AuditRecord[] = [];
  #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();

  constructor(config: AuditLogConfig) {
    this.#db = config.db;
    this.#logger = config.logger;
    this.#maxBuffered = config.maxBuffered ?? 200;
    this.#maxPending = config.maxPending ?? 10_000;
    this.#timer = setInterval(() => void this.flush(), config.flushIntervalMs ?? 1000);
    this.#timer.unref();
  }

  /** Inserts the record in the caller's transaction. */
  async writeInTransaction(trx: QueryExecutorProvider, record: AuditRecord): Promise<void> {
    await insertBatch([record]).execute(trx);
  }

  /** Buffers a record for the next batch. */
  buffer(record: AuditRecord): void {
    this.#buffer.push(record);
    if (this.#buffer.length >= this.#maxBuffered) void this.flush();
  }

  /** Writes everything buffered so far. Never throws: a failed batch is kept for the next attempt. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      if (this.#buffer.length === 0) return;
      const batch = this.#buffer;
      this.#buffer = [];
      try {
        await insertBatch(batch).execute(this.#db);
      } catch (error) {
        this.#buffer = batch.concat(this.#buffer);
        const overflow = this.#buffer.length - this.#maxPending;
        if (overflow > 0) this.#buffer.splice(0, overflow);
        this.#logger.error({ err: error, pending: this.#buffer.length, dropped: Math.max(0, overflow) }, 'audit flush failed');
      }
    });
    return this.#flushing;
  }

  /** Stops the timer and flushes what is left (shutdown). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
