import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { ImportFormat } from '@mcpfed/contract-product';
import { AppError } from '@mcpfed/errors';
import type { ProductDatabase } from '../../store/product-database.ts';
import type { ProductImportErrorsTable, ProductImportsTable } from './catalog-tables.ts';

/** A `product_imports` row. */
export type ImportRow = Selectable<ProductImportsTable>;

/** A rejected row of an import (`raw`: a short escaped excerpt of the line, never its bytes; null when unreadable). */
export type ImportErrorRow = Omit<Selectable<ProductImportErrorsTable>, 'import_id'>;

/** `details.reason` of an import cancelled by its creator. */
export const CANCELLED = 'cancelled';

/** Whether an import row ended by a cancel. */
export function wasCancelled(row: { status: string; error: unknown }): boolean {
  return row.status === 'failed' && (row.error as { details?: { reason?: unknown } } | null)?.details?.reason === CANCELLED;
}

/** Why an import failed as a whole, as stored in `product_imports.error`. */
export interface ImportFailure {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Values of a new import. */
export interface NewImportRow {
  id: string;
  format: ImportFormat;
  source_kind: 'path' | 'url';
  source: string;
  created_by: string;
  idempotency_key: string;
  request_hash: string;
  bytes_total: number | null;
}

/** The progress one committed batch adds. */
export interface BatchProgress {
  /** records_done before the batch: the batch commits only if nobody else moved the import on meanwhile. */
  fromRecords: number;
  records: number;
  ok: number;
  failed: number;
  linesDone: number;
  bytesDone: number;
  /** Rejected rows to keep (already cut to what the cap leaves room for). */
  errors: readonly ImportErrorRow[];
}

/** Repository of `product_imports` and `product_import_errors`. */
export class ImportStore {
  readonly #db: Kysely<ProductDatabase>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<ProductDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /** Inserts an import unless the principal already used the key; returns the row with the key either way. */
  async insertOrGet(values: NewImportRow): Promise<{ row: ImportRow; created: boolean }> {
    const inserted = await this.#db
      .insertInto('product_imports')
      .values(values)
      .onConflict((oc) => oc.columns(['created_by', 'idempotency_key']).doNothing())
      .returningAll()
      .executeTakeFirst({ signal: this.#signal });
    if (inserted !== undefined) return { row: inserted, created: true };
    const existing = await this.findByKey(values.created_by, values.idempotency_key);
    if (existing === undefined) throw new AppError('INTERNAL', 'import vanished after a key conflict');
    return { row: existing, created: false };
  }

  /** The import a principal started with an idempotency key. */
  async findByKey(createdBy: string, idempotencyKey: string): Promise<ImportRow | undefined> {
    return this.#db
      .selectFrom('product_imports')
      .selectAll()
      .where('created_by', '=', createdBy)
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst({ signal: this.#signal });
  }

  /** One import. */
  async find(id: string): Promise<ImportRow | undefined> {
    return this.#db.selectFrom('product_imports').selectAll().where('id', '=', id).executeTakeFirst({ signal: this.#signal });
  }

  /** Imports that have not finished, oldest first (the worker's start-up recovery). */
  async unfinished(): Promise<ImportRow[]> {
    return this.#db
      .selectFrom('product_imports')
      .selectAll()
      .where('status', 'in', ['queued', 'running'])
      .orderBy('created_at')
      .execute({ signal: this.#signal });
  }

  /** Marks the import running and counts the attempt; returns the row (with the resume point). */
  async start(id: string, bytesTotal: number | null): Promise<ImportRow> {
    return this.#db
      .updateTable('product_imports')
      .set({
        status: 'running',
        attempts: sql<number>`attempts + 1`,
        started_at: sql<Date>`coalesce(started_at, now())`,
        bytes_total: sql<string | null>`coalesce(${bytesTotal}::bigint, bytes_total)`,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'running'])
      .returningAll()
      .executeTakeFirstOrThrow({
        signal: this.#signal,
        errorConstructor: () => new AppError('PRECONDITION_FAILED', `import ${id} is not queued or running`, { details: { id } }),
      });
  }

  /** Puts a running import back to `queued` (its run stopped between batches; a later run resumes it). */
  async requeue(id: string): Promise<void> {
    await this.#db
      .updateTable('product_imports')
      .set({ status: 'queued', updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .execute({ signal: this.#signal });
  }

  /**
   * Adds a batch's counters and rejected rows. Returns false when the import moved on without this worker (another
   * worker took the job over): the caller's transaction must then roll back.
   */
  async commitBatch(id: string, progress: BatchProgress): Promise<boolean> {
    const updated = await this.#db
      .updateTable('product_imports')
      .set({
        records_done: sql<number>`records_done + ${progress.records}`,
        rows_ok: sql<number>`rows_ok + ${progress.ok}`,
        rows_failed: sql<number>`rows_failed + ${progress.failed}`,
        lines_done: progress.linesDone,
        bytes_done: progress.bytesDone,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .where('records_done', '=', progress.fromRecords)
      .executeTakeFirst({ signal: this.#signal });
    if (Number(updated.numUpdatedRows) !== 1) return false;
    if (progress.errors.length > 0) {
      await this.#db
        .insertInto('product_import_errors')
        .values(progress.errors.map((error) => ({ import_id: id, ...error })))
        .onConflict((oc) => oc.doNothing())
        .execute({ signal: this.#signal });
    }
    return true;
  }

  /** Ends the import: completed (every row read) or failed (with the reason). */
  async finish(id: string, outcome: { status: 'completed' } | { status: 'failed'; error: ImportFailure }): Promise<void> {
    await this.#db
      .updateTable('product_imports')
      .set({
        status: outcome.status,
        error: outcome.status === 'failed' ? JSON.stringify(outcome.error) : null,
        finished_at: sql<Date>`now()`,
        updated_at: sql<Date>`now()`,
        ...(outcome.status === 'completed' ? { bytes_done: sql<string>`coalesce(bytes_total, bytes_done)` } : {}),
      })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'running'])
      .execute({ signal: this.#signal });
  }

  /**
   * Cancels an unfinished import of `createdBy` (tasks/cancel): it ends `failed` with details.reason `cancelled`. A
   * run writing a batch finds its row no longer running and stops there (the batch rolls back); undefined when the
   * import was not unfinished.
   */
  async cancel(id: string, createdBy: string): Promise<ImportRow | undefined> {
    const error: ImportFailure = {
      code: 'PRECONDITION_FAILED',
      message: 'The import was cancelled by its creator (tasks/cancel); the batches written before stay imported.',
      details: { reason: CANCELLED },
    };
    return this.#db
      .updateTable('product_imports')
      .set({ status: 'failed', error: JSON.stringify(error), finished_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('created_by', '=', createdBy)
      .where('status', 'in', ['queued', 'running'])
      .returningAll()
      .executeTakeFirst({ signal: this.#signal });
  }

  /** Rejected rows in line order, after a line, at most `limit`. */
  async errors(id: string, limit: number, afterLine: number | undefined): Promise<ImportErrorRow[]> {
    if (limit === 0) return [];
    return this.#db
      .selectFrom('product_import_errors')
      .select(['line', 'field', 'message', 'raw'])
      .where('import_id', '=', id)
      .$if(afterLine !== undefined, (qb) => qb.where('line', '>', afterLine as number))
      .orderBy('line')
      .limit(limit)
      .execute({ signal: this.#signal });
  }
}
