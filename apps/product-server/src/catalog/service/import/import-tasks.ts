import type { Kysely } from 'kysely';
import type { ContractOutput } from '@mcpfed/contract-common';
import type { productImport } from '@mcpfed/contract-product';
import { AppError } from '@mcpfed/errors';
import type { RequestContext, TaskState } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../../store/product-database.ts';
import { ImportStore, wasCancelled } from '../../store/import-store.ts';
import type { ImportRow } from '../../store/import-store.ts';
import { importView } from './import-service.ts';

/** What a task call reads of its request: whose imports it may see, and the abort signal. */
type ImportTaskCall = Pick<RequestContext, 'principal' | 'signal'>;

/**
 * product_import as an MCP Task (docs/architecture.md §4): the task is the import row, so every replica answers and a
 * restart loses nothing; only the principal that started the import sees its task.
 */
export class ImportTasks {
  readonly #db: Kysely<ProductDatabase>;

  constructor(db: Kysely<ProductDatabase>) {
    this.#db = db;
  }

  /** The task's state, or undefined when the caller did not start this import (or there is none). */
  async state(id: string, ctx: ImportTaskCall): Promise<TaskState | undefined> {
    const row = await this.#own(id, ctx);
    return row === undefined ? undefined : importTaskState(row);
  }

  /** product_import's answer for the import as it stands now. */
  async result(id: string, ctx: ImportTaskCall): Promise<ContractOutput<typeof productImport>> {
    const row = await this.#own(id, ctx);
    if (row === undefined) throw new AppError('NOT_FOUND', `No task for import ${id}.`);
    return { import: importView(row), replayed: false };
  }

  /** Cancels the import: a queued one does not start, a running one stops before its next batch is written. */
  async cancel(id: string, ctx: ImportTaskCall): Promise<void> {
    const cancelled = await new ImportStore(this.#db, ctx.signal).cancel(id, ctx.principal.id);
    if (cancelled !== undefined) return;
    const row = await this.#own(id, ctx);
    if (row === undefined) throw new AppError('NOT_FOUND', `No task for import ${id}.`);
    if (!wasCancelled(row))
      throw new AppError('PRECONDITION_FAILED', `Import ${id} has already ended (${row.status}).`, { details: { id, status: row.status } });
  }

  async #own(id: string, ctx: ImportTaskCall): Promise<ImportRow | undefined> {
    const row = await new ImportStore(this.#db, ctx.signal).find(id);
    // Another principal's import is the same answer as a missing one.
    return row === undefined || row.created_by !== ctx.principal.id ? undefined : row;
  }
}

/** An import row as an MCP task state. */
export function importTaskState(row: ImportRow): TaskState {
  const times = { createdAt: row.created_at, updatedAt: row.updated_at };
  if (wasCancelled(row)) return { status: 'cancelled', message: `Cancelled after ${row.records_done} rows (${row.rows_ok} imported); those stay.`, ...times };
  const view = importView(row);
  switch (row.status) {
    case 'queued':
      return { status: 'working', message: 'Queued.', ...times };
    case 'running':
      return {
        status: 'working',
        message: `Read ${row.records_done} rows (${row.rows_ok} ok, ${row.rows_failed} rejected)${view.percent === null ? '' : `, ${view.percent}%`}.`,
        ...times,
      };
    case 'completed':
      return {
        status: 'completed',
        message: `Imported ${row.rows_ok} of ${row.records_done} rows; ${row.rows_failed} rejected (product_import_status lists them).`,
        ...times,
      };
    default:
      return { status: 'failed', message: view.error?.message ?? 'The import failed.', ...times };
  }
}
