import type { QueryExecutorProvider } from 'kysely';
import { errorCodeOf, isConnectionError, loggableError } from '@mcpfed/db';
import { optionSchemas, parseOptions } from '@mcpfed/errors';
import { z } from 'zod';
import type { Logger } from '@mcpfed/telemetry';
import { finishAuditRecord, insertAuditRecords, purgeAuditRecords } from './audit-statements.ts';
import type { AuditOutcome, AuditRecord } from './audit-statements.ts';

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
  /** Days a record is kept (`AUDIT_RETENTION_DAYS`). Default 365. */
  retentionDays?: number;
  /** How often expired records are deleted, in milliseconds. Default 600000 (10 minutes). */
  purgeIntervalMs?: number;
  /** Records deleted per statement when purging. Default 1000. */
  purgeBatchSize?: number;
}

const auditLogOptions = z.object({
  db: z.custom<QueryExecutorProvider>((value) => typeof value === 'object' && value !== null, { error: 'must be a database' }),
  logger: z.custom<Logger>((value) => typeof value === 'object' && value !== null, { error: 'must be a logger' }),
  flushIntervalMs: optionSchemas.positiveInteger(1000),
  maxBuffered: optionSchemas.positiveInteger(200),
  maxPending: optionSchemas.positiveInteger(10_000),
  retentionDays: optionSchemas.positiveInteger(365),
  purgeIntervalMs: optionSchemas.positiveInteger(600_000),
  purgeBatchSize: optionSchemas.positiveInteger(1000),
});

/** The arguments of a record that could not be stored even alone (see {@link AuditLog.flush}). */
const QUARANTINED_ARGS = Object.freeze({ '[audit]': 'arguments not storable; left out' });
/** Batches one purge run deletes at most, so a large backlog is worked off over several runs. */
const MAX_PURGE_BATCHES = 100;

/**
 * A failure that says nothing about the records: the database is unreachable, restarting or out of time. The
 * batch is kept for the next flush. Any other failure is the records' own (a value PostgreSQL refuses).
 */
function isTransient(error: unknown): boolean {
  return isConnectionError(error) || errorCodeOf(error) === '57014';
}

/**
 * The audit trail in the domain's own database (docs/architecture.md §5). A write's record is durable before its caller sees
 * success: in the write's own transaction (`writeInTransaction`), or for a write that manages its own transactions,
 * written ahead as `started` (`begin`) and completed with its outcome (`finish`). Reads and failures are buffered
 * and inserted in batches: a crash loses at most one flush interval of those. A record PostgreSQL refuses never
 * blocks the others: a failing batch is split until the refused record is found, which is then stored without its
 * arguments. Records older than the retention are deleted in small batches on a timer.
 */
export class AuditLog {
  readonly #db: QueryExecutorProvider;
  readonly #logger: Logger;
  readonly #maxBuffered: number;
  readonly #maxPending: number;
  readonly #retentionDays: number;
  readonly #purgeBatchSize: number;
  #buffer: AuditRecord[] = [];
  /** Outcomes of write-ahead records whose update failed, retried with each flush. */
  #finishes: Array<{ id: string; outcome: AuditOutcome }> = [];
  readonly #timer: NodeJS.Timeout;
  readonly #purgeTimer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();
  #purging: Promise<number> | undefined;

  /** @throws AppError VALIDATION_FAILED naming the first bad option. */
  constructor(options: AuditLogConfig) {
    const config = parseOptions('AuditLog', auditLogOptions, options);
    this.#db = config.db;
    this.#logger = config.logger;
    this.#maxBuffered = config.maxBuffered;
    this.#maxPending = config.maxPending;
    this.#retentionDays = config.retentionDays;
    this.#purgeBatchSize = config.purgeBatchSize;
    this.#timer = setInterval(() => void this.flush(), config.flushIntervalMs);
    this.#timer.unref();
    this.#purgeTimer = setInterval(() => void this.purgeExpired().catch(() => 0), config.purgeIntervalMs);
    this.#purgeTimer.unref();
  }

  /** Inserts the record in the caller's transaction. */
  async writeInTransaction(trx: QueryExecutorProvider, record: AuditRecord): Promise<void> {
    await insertAuditRecords([record]).execute(trx);
  }

  /**
   * Inserts the record of a call that is about to run, with outcome `started`, and resolves with its id once it is
   * committed. Rejects when it could not be written: the call must then not run.
   */
  async begin(record: AuditRecord): Promise<string> {
    const { rows } = await insertAuditRecords([{ ...record, outcome: 'started' }]).execute(this.#db);
    return (rows[0] as { id: string }).id;
  }

  /**
   * Writes the outcome of a `begin` record. When that fails the outcome is kept and written by a later flush; the
   * `started` record already on disk says the call was attempted.
   */
  async finish(id: string, outcome: AuditOutcome): Promise<void> {
    try {
      await finishAuditRecord(id, outcome).execute(this.#db);
    } catch (error) {
      this.#logger.error({ err: loggableError(error), audit_id: id }, 'audit outcome not written; retrying with the next flush');
      this.#finishes.push({ id, outcome });
      this.#trim();
    }
  }

  /** Buffers a record for the next batch. */
  buffer(record: AuditRecord): void {
    this.#buffer.push(record);
    if (this.#buffer.length >= this.#maxBuffered) void this.flush();
  }

  /**
   * Writes everything buffered so far. Never throws. While the database is unreachable the records are kept for the
   * next attempt (at most `maxPending`); a batch refused for its content is split in halves until each refused record
   * stands alone, and that one is stored without its arguments (logged without them too).
   */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      if (this.#buffer.length > 0) {
        const batch = this.#buffer;
        this.#buffer = [];
        const unwritten = await this.#insert(batch);
        if (unwritten.length > 0) {
          this.#buffer = unwritten.concat(this.#buffer);
          this.#trim();
        }
      }
      await this.#retryFinishes();
    });
    return this.#flushing;
  }

  /**
   * Deletes records older than the retention, in batches of `purgeBatchSize` (at most 100 batches per run); resolves
   * with how many. One run at a time per process; replicas skip each other's rows.
   */
  purgeExpired(): Promise<number> {
    this.#purging ??= (async () => {
      let purged = 0;
      try {
        for (let batch = 0; batch < MAX_PURGE_BATCHES; batch++) {
          const result = await purgeAuditRecords(this.#retentionDays, this.#purgeBatchSize).execute(this.#db);
          const deleted = Number(result.numAffectedRows ?? 0);
          purged += deleted;
          if (deleted < this.#purgeBatchSize) break;
        }
        if (purged > 0) this.#logger.info({ purged, retention_days: this.#retentionDays }, 'expired audit records deleted');
        return purged;
      } catch (error) {
        this.#logger.warn({ err: loggableError(error), purged }, 'audit retention purge failed; retrying at the next interval');
        throw error;
      } finally {
        this.#purging = undefined;
      }
    })();
    return this.#purging;
  }

  /** Stops the timers and flushes what is left (shutdown). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    clearInterval(this.#purgeTimer);
    await this.flush();
  }

  /** Inserts `batch`, splitting it on refusal; returns the records left for a later flush (database unreachable). */
  async #insert(batch: AuditRecord[]): Promise<AuditRecord[]> {
    const parts: AuditRecord[][] = [batch];
    while (parts.length > 0) {
      const part = parts.shift() as AuditRecord[];
      try {
        await insertAuditRecords(part).execute(this.#db);
      } catch (error) {
        if (isTransient(error)) {
          this.#logger.error({ err: loggableError(error), pending: batch.length }, 'audit flush failed; keeping the records for the next flush');
          return [part, ...parts].flat();
        }
        if (part.length > 1) {
          const half = Math.ceil(part.length / 2);
          parts.unshift(part.slice(0, half), part.slice(half));
        } else if (!(await this.#quarantine(part[0] as AuditRecord, error))) {
          return [part, ...parts].flat();
        }
      }
    }
    return [];
  }

  /** Stores a refused record without its arguments; false when the database is unreachable (keep it). */
  async #quarantine(record: AuditRecord, refusal: unknown): Promise<boolean> {
    const about = { request_id: record.requestId, tool: record.tool, outcome: record.outcome, args_digest: record.argsDigest };
    try {
      await insertAuditRecords([{ ...record, args: QUARANTINED_ARGS }]).execute(this.#db);
      this.#logger.error({ ...about, err: loggableError(refusal) }, 'audit record refused by the database; stored without its arguments');
      return true;
    } catch (error) {
      if (isTransient(error)) return false;
      this.#logger.error({ ...about, err: loggableError(error) }, 'audit record refused by the database even without its arguments; dropped');
      return true;
    }
  }

  async #retryFinishes(): Promise<void> {
    const finishes = this.#finishes;
    this.#finishes = [];
    for (const [index, { id, outcome }] of finishes.entries()) {
      try {
        await finishAuditRecord(id, outcome).execute(this.#db);
      } catch (error) {
        if (isTransient(error)) {
          this.#finishes = finishes.slice(index).concat(this.#finishes);
          return;
        }
        this.#logger.error({ err: loggableError(error), audit_id: id }, 'audit outcome refused by the database; the record stays started');
      }
    }
  }

  /** Drops the oldest records beyond `maxPending` (logged): memory stays bounded while the database is away. */
  #trim(): void {
    const overflow = this.#buffer.length - this.#maxPending;
    if (overflow > 0) {
      this.#buffer.splice(0, overflow);
      this.#logger.error({ dropped: overflow, pending: this.#buffer.length }, 'audit buffer full; oldest records dropped');
    }
    const finishOverflow = this.#finishes.length - this.#maxPending;
    if (finishOverflow > 0) this.#finishes.splice(0, finishOverflow);
  }
}
