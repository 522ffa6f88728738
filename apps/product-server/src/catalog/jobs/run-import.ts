import type { Kysely } from 'kysely';
import { MAX_STORED_IMPORT_ERRORS } from '@mcpfed/contract-product';
import { inTransaction } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { isRetryable } from '@mcpfed/resilience';
import type { ProductDatabase } from '../../store/product-database.ts';
import { ImportStore, wasCancelled } from '../store/import-store.ts';
import type { ImportErrorRow, ImportFailure, ImportRow } from '../store/import-store.ts';
import { ProductBulkStore } from '../store/product-bulk-store.ts';
import type { ProductUpsertRow } from '../store/product-bulk-store.ts';
import type { ImportSourceConfig, ImportSourceRef, OpenedSource } from '../service/import/import-source.ts';
import { openImportSource } from '../service/import/import-source.ts';
import { validateImportRow } from '../service/import/import-row.ts';
import { lineExcerpt } from '../service/import/line-excerpt.ts';
import { OrderedBatchWriter } from './ordered-batch-writer.ts';
import { readRecords } from '../service/import/record-reader.ts';

/** How imports run. */
export interface ImportRunConfig extends ImportSourceConfig {
  /** Records per transaction (one upsert statement, one progress update). */
  batchSize: number;
  /** Batches written side by side on their own connections, committed in file order. Default 3. */
  parallelBatches?: number;
}

/** What stops a run early besides the job's abort signal: a graceful-stop request checked between batches. */
export interface ImportRunControl {
  /** True once the worker is closing: the run stops after the batches it is writing (they commit, in order). */
  stopRequested(): boolean;
}

/** How a run ended. `interrupted`: stopped between batches; the job resumes from there on its next attempt. */
export type ImportRunOutcome = 'completed' | 'failed' | 'interrupted' | 'skipped';

/**
 * Runs (or resumes) one import: streams the source, validates each record, upserts the good rows in batches and
 * records the bad ones. Each batch's products, rejected rows and counters commit in one transaction, so after any
 * crash `records_done` says exactly which records are in: the next run skips those and goes on. Re-running a
 * finished file is harmless too (identical rows write nothing).
 *
 * A source that cannot be read for good (missing, too large, refused) fails the import; transient failures
 * (network, database) are thrown for the queue's retries.
 */
export async function runImport(
  db: Kysely<ProductDatabase>,
  importId: string,
  config: ImportRunConfig,
  control: ImportRunControl,
  ctx: Pick<RequestContext, 'signal'>,
): Promise<ImportRunOutcome> {
  const store = new ImportStore(db, ctx.signal);
  const existing = await store.find(importId);
  if (existing === undefined) throw new AppError('NOT_FOUND', `import ${importId} does not exist`);
  if (existing.status === 'completed' || existing.status === 'failed') return 'skipped';
  let opened;
  try {
    opened = await openImportSource(sourceOf(existing), config, ctx.signal);
  } catch (error) {
    if (AppError.is(error) && !isRetryable(error)) {
      await store.finish(importId, { status: 'failed', error: failureOf(error) });
      return 'failed';
    }
    throw error;
  }
  try {
    return await readSource(db, existing, opened, config, control, ctx);
  } finally {
    await opened.close();
  }
}

/** The streaming part of {@link runImport}, over the source it opened (and closes after this returns). */
async function readSource(
  db: Kysely<ProductDatabase>,
  existing: ImportRow,
  opened: OpenedSource,
  config: ImportRunConfig,
  control: ImportRunControl,
  ctx: Pick<RequestContext, 'signal'>,
): Promise<ImportRunOutcome> {
  const importId = existing.id;
  const store = new ImportStore(db, ctx.signal);
  const started = await store.start(importId, opened.bytesTotal);
  const actor = `import:${importId}`;
  const fromCsv = started.format === 'csv';
  let recordsDone = started.records_done;
  let failedSoFar = started.rows_failed;
  let seen = 0;
  let batch: { rows: Map<string, ProductUpsertRow>; records: number; ok: number; errors: ImportErrorRow[]; endLine: number; endByte: number } = emptyBatch();

  const writer = new OrderedBatchWriter(config.parallelBatches ?? 3);

  // Hands the batch to the writer; counters move on as if it committed (if it does not, nothing after it does).
  const flush = async (): Promise<void> => {
    if (batch.records === 0) return;
    const current = batch;
    const fromRecords = recordsDone;
    const errors = current.errors.slice(0, Math.max(0, MAX_STORED_IMPORT_ERRORS - failedSoFar));
    recordsDone += current.records;
    failedSoFar += current.errors.length;
    batch = emptyBatch();
    const rows = [...current.rows.values()];
    await writer.submit({
      skus: new Set(current.rows.keys()),
      write: async (previous) => {
        // Committed on its own before the batch's transaction starts: a batch in flight never holds a new word's
        // lock that a batch beside it waits for (statements adding shared new words lock them in the same order).
        // Done here rather than in the reading flow, so reading goes on meanwhile.
        await new ProductBulkStore(db, ctx.signal).addLexiconWords(rows);
        await inTransaction(db, async (trx) => {
          await new ProductBulkStore(trx, ctx.signal).upsert(rows, actor);
          await previous;
          const committed = await new ImportStore(trx, ctx.signal).commitBatch(importId, {
            fromRecords,
            records: current.records,
            ok: current.ok,
            failed: current.errors.length,
            linesDone: current.endLine,
            bytesDone: current.endByte,
            errors,
          });
          if (!committed) throw new AppError('CONFLICT', `import ${importId} was moved on by another worker; this run stops`, { retryable: true });
        });
      },
    });
  };

  try {
    for await (const record of readRecords(opened.body, started.format)) {
      seen++;
      // Records up to the resume point are in already (same bytes, same records): skip them.
      if (seen <= recordsDone) continue;
      batch.records++;
      batch.endLine = record.endLine;
      batch.endByte = record.endByte;
      if (record.kind === 'unreadable') {
        batch.errors.push({ line: record.line, field: 'row', message: record.message, raw: excerptOrNull(record.raw) });
      } else {
        const verdict = validateImportRow(record.fields, fromCsv);
        if (verdict.ok) {
          // The last row of a SKU wins, as if the rows were applied one after the other.
          batch.rows.delete(verdict.row.sku);
          batch.rows.set(verdict.row.sku, verdict.row);
          batch.ok++;
        } else {
          batch.errors.push({ line: record.line, field: verdict.field, message: verdict.message, raw: excerptOrNull(record.raw) });
        }
      }
      if (batch.records >= config.batchSize) {
        await flush();
        if (control.stopRequested()) {
          await writer.drain();
          return 'interrupted';
        }
      }
    }
    await flush();
    await writer.drain();
  } catch (error) {
    // Every batch in flight ends (commits or rolls back) before the import's state is written or the run retried.
    await writer.drain().catch(() => undefined);
    if (AppError.is(error) && !isRetryable(error)) {
      await store.finish(importId, { status: 'failed', error: failureOf(error) });
      return 'failed';
    }
    // Cancelled (tasks/cancel) while this run read or wrote a batch: that batch rolled back; the run ends here.
    // Looked up only while the run's signal has not aborted (an aborted run rethrows as it is; the run after it
    // finds the cancel), through a store on a signal of its own.
    if (!ctx.signal.aborted) {
      const now = await new ImportStore(db, new AbortController().signal).find(importId);
      if (now !== undefined && wasCancelled(now)) return 'skipped';
    }
    throw error;
  }
  await store.finish(importId, { status: 'completed' });
  await new ProductBulkStore(db, ctx.signal).refreshSearchIndex();
  return 'completed';
}

/** What an import that failed as a whole records: the error's code, message and details (never remote bytes). */
function failureOf(error: AppError): ImportFailure {
  return { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) };
}

/** What a rejected row keeps of its line: a short escaped excerpt, never the bytes themselves. */
function excerptOrNull(raw: string): string | null {
  return raw === '' ? null : lineExcerpt(raw);
}

function emptyBatch() {
  return { rows: new Map<string, ProductUpsertRow>(), records: 0, ok: 0, errors: [] as ImportErrorRow[], endLine: 0, endByte: 0 };
}

function sourceOf(row: ImportRow): ImportSourceRef {
  return row.source_kind === 'path' ? { kind: 'path', value: row.source } : { kind: 'url', value: row.source };
}
