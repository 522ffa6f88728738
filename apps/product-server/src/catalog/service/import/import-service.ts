import type { Kysely } from 'kysely';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import type { productImport, productImportStatus } from '@mcpfed/contract-product';
import { MAX_STORED_IMPORT_ERRORS } from '@mcpfed/contract-product';
import { inTransaction, newId } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import { digest } from '@mcpfed/mcp-runtime';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../../store/product-database.ts';
import { ImportStore } from '../../store/import-store.ts';
import type { ImportRow } from '../../store/import-store.ts';
import { checkImportSource } from './import-source.ts';
import { lineExcerpt } from './line-excerpt.ts';
import type { ImportSourceConfig } from './import-source.ts';

/** The wire shape of an import job. */
export type ImportJobOutput = ContractOutput<typeof productImport>['import'];

/** What the import service needs of the import queue (`createImportQueue` in production). */
export interface ImportJobScheduler {
  /** Makes sure the import has a job (a no-op while one exists); UPSTREAM_UNAVAILABLE when the queue does not answer. */
  ensureJob(importId: string): Promise<void>;
}

/** Collaborators of the import tools. */
export interface ImportServiceDeps {
  /** Where imports may read from and how much. */
  source: ImportSourceConfig;
  /** The queue the job goes to. */
  queue: ImportJobScheduler;
}

/**
 * product_import and product_import_status. product_import calls Redis, another system, so it runs outside the
 * runtime's transaction and keeps its own idempotency: the import row itself is the record (unique per principal
 * and key, with a hash of the arguments), committed before the job is enqueued.
 */
export class ImportService {
  readonly #db: Kysely<ProductDatabase>;
  readonly #deps: ImportServiceDeps;

  constructor(db: Kysely<ProductDatabase>, deps: ImportServiceDeps) {
    this.#db = db;
    this.#deps = deps;
  }

  /** product_import: records the import (or finds it by key) and makes sure its job is queued. */
  async start(
    input: ContractInput<typeof productImport>,
    ctx: Pick<RequestContext, 'principal' | 'signal' | 'clientLog'>,
  ): Promise<ContractOutput<typeof productImport>> {
    const requestHash = digest({ source: input.source, format: input.format });
    const store = new ImportStore(this.#db, ctx.signal);
    const log = ctx.clientLog;
    const previous = await store.findByKey(ctx.principal.id, input.idempotency_key);
    let row: ImportRow;
    let created: boolean;
    if (previous !== undefined) {
      row = previous;
      created = false;
    } else {
      await log('debug', 'Checking the import source', { format: input.format, kind: 'url' in input.source ? 'url' : 'path' });
      const source = await checkImportSource(input.source, this.#deps.source);
      ({ row, created } = await inTransaction(this.#db, (trx) =>
        new ImportStore(trx, ctx.signal).insertOrGet({
          id: newId('imp'),
          format: input.format,
          source_kind: source.ref.kind,
          source: source.ref.value,
          created_by: ctx.principal.id,
          idempotency_key: input.idempotency_key,
          request_hash: requestHash,
          bytes_total: source.bytesTotal,
        }),
      ));
    }
    if (!created && row.request_hash !== requestHash) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key started another import (other source or format). Use a new key for a new import.', {
        details: { import_id: row.id },
      });
    }
    // Enqueued after the row committed, so the worker always finds it; a replay re-enqueues a job Redis lost.
    if (row.status === 'queued' || row.status === 'running') await this.#deps.queue.ensureJob(row.id);
    const current = (await store.find(row.id)) ?? row;
    await log(created ? 'info' : 'notice', created ? 'Import queued; follow it with product_import_status' : 'Import already started with this key', {
      import_id: current.id,
      status: current.status,
    });
    return { import: importView(current), replayed: !created };
  }

  /** product_import_status: progress and the rejected rows after a line. */
  async status(input: ContractInput<typeof productImportStatus>, ctx: Pick<RequestContext, 'signal'>): Promise<ContractOutput<typeof productImportStatus>> {
    const store = new ImportStore(this.#db, ctx.signal);
    const row = await store.find(input.id);
    if (row === undefined) {
      throw new AppError('NOT_FOUND', `No import has the id ${input.id}. Use the id product_import returned.`, { details: { id: input.id } });
    }
    const errors = await store.errors(input.id, input.errors_limit, input.errors_after_line);
    return {
      import: importView(row),
      errors: errors.map(({ line, field, message, raw }) => ({ line, field, message, excerpt: raw === null ? null : lineExcerpt(raw) })),
      errors_stored: Math.min(row.rows_failed, MAX_STORED_IMPORT_ERRORS),
    };
  }
}

/** An import row as the tools return it. */
export function importView(row: ImportRow): ImportJobOutput {
  const bytesDone = Number(row.bytes_done);
  const bytesTotal = row.bytes_total === null ? null : Number(row.bytes_total);
  const percent =
    row.status === 'completed' ? 100 : bytesTotal === null || bytesTotal === 0 ? null : Math.min(100, Math.round((bytesDone / bytesTotal) * 1000) / 10);
  const error = row.error as { code?: unknown; message?: unknown; details?: unknown } | null;
  return {
    id: row.id,
    status: row.status,
    format: row.format,
    source: row.source,
    rows_read: row.records_done,
    rows_ok: row.rows_ok,
    rows_failed: row.rows_failed,
    bytes_read: bytesDone,
    bytes_total: bytesTotal,
    percent,
    attempts: row.attempts,
    error: error === null ? null : failureView(error),
    created_at: row.created_at.toISOString(),
    started_at: row.started_at === null ? null : row.started_at.toISOString(),
    finished_at: row.finished_at === null ? null : row.finished_at.toISOString(),
  };
}

function failureView(error: { code?: unknown; message?: unknown; details?: unknown }): NonNullable<ImportJobOutput['error']> {
  const details = error.details;
  return {
    code: String(error.code),
    message: String(error.message),
    ...(typeof details === 'object' && details !== null && !Array.isArray(details) ? { details: details as Record<string, unknown> } : {}),
  };
}
