import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { EXPORT_PAGE_MAX_BYTES, EXPORT_PAGE_MAX_ITEMS } from '@mcpfed/contract-customer';
import type { customerExportData } from '@mcpfed/contract-customer';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import { decodeCursor, encodeCursor } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { customerNotFound } from '../store/customer-not-found.ts';
import { CustomerStore } from '../store/customer-store.ts';
import { EventStore } from '../store/event-store.ts';
import type { ExportPosition } from '../store/event-store.ts';
import { NoteStore } from '../store/note-store.ts';
import { customerView, eventView, noteView } from './customer-view.ts';
import type { NoteOutput, TimelineEventOutput } from './customer-view.ts';

/** Where an export goes on: its time, the section (notes, then events) and the last row of the previous page. */
interface ExportResume {
  asOf: Date;
  section: 'notes' | 'events';
  after: ExportPosition | undefined;
}

const cursorShape = z.strictObject({
  c: z.string().max(40),
  a: z.iso.datetime(),
  s: z.enum(['n', 'e']),
  t: z.iso.datetime().nullable(),
  id: z.string().max(40).nullable(),
});

/**
 * One page of customer_export_data, read in one REPEATABLE READ snapshot: the profile, then notes and then events
 * stamped at or before the export's time (the first page's), oldest first, until {@link EXPORT_PAGE_MAX_ITEMS}
 * rows or about {@link EXPORT_PAGE_MAX_BYTES} of them (at least one row per page), and the cursor of the rest.
 * Memory per call is bounded whatever the customer's history; the pages together are the whole export, each
 * row once, because they walk one (time, id) order below a fixed bound.
 */
export async function exportCustomerPage(
  db: Kysely<CustomerDatabase>,
  input: ContractInput<typeof customerExportData>,
  ctx: Pick<RequestContext, 'signal'>,
): Promise<ContractOutput<typeof customerExportData>> {
  const { signal } = ctx;
  const resume = input.cursor === undefined ? undefined : decodeExportCursor(input.cursor, input.customer_id);
  const read = async (tx: Kysely<CustomerDatabase>): Promise<ContractOutput<typeof customerExportData>> => {
    const profile = await new CustomerStore(tx, signal).findProfile({ id: input.customer_id });
    if (profile === undefined) throw customerNotFound(input.customer_id);
    const asOf = resume?.asOf ?? (await exportTime(tx, signal));
    const budget = pageBudget();
    let next: ExportResume | null = null;

    let notes: NoteOutput[] = [];
    if (resume?.section !== 'events') {
      const rows = await new NoteStore(tx, signal).exportPage(profile.id, { asOf, after: resume?.after, limit: budget.items() + 1 });
      notes = budget.take(rows.map(noteView));
      if (notes.length < rows.length) next = { asOf, section: 'notes', after: positionOf(rows[notes.length - 1]) };
    }
    let events: TimelineEventOutput[] = [];
    if (next === null) {
      const after = resume?.section === 'events' ? resume.after : undefined;
      const rows = await new EventStore(tx, signal).exportPage(profile.id, { asOf, after, limit: budget.items() + 1 });
      events = budget.take(rows.map(eventView));
      if (events.length < rows.length) next = { asOf, section: 'events', after: events.length === 0 ? after : positionOf(rows[events.length - 1]) };
    }
    return {
      customer_id: profile.id,
      exported_at: asOf.toISOString(),
      customer: customerView(profile, true),
      notes,
      events,
      next_cursor: next === null ? null : encodeExportCursor(profile.id, next),
    };
  };
  if (db.isTransaction) return read(db);
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read);
}

/**
 * The export's time bound: the transaction's time, cut to milliseconds and one millisecond later, because rows
 * store milliseconds rounded to the nearest: a row committed before this snapshot may carry a time up to half
 * a millisecond after `now()`.
 */
async function exportTime(db: Kysely<CustomerDatabase>, signal: AbortSignal): Promise<Date> {
  const result = await sql<{ t: Date }>`SELECT date_trunc('milliseconds', now()) + interval '1 millisecond' AS t`.execute(db, { signal });
  const row = result.rows[0];
  if (row === undefined) throw new AppError('INTERNAL', 'now() returned no row');
  return new Date(row.t);
}

/** What is left of a page: rows, and bytes of their JSON. A page always takes its first row, however large. */
function pageBudget() {
  let items = EXPORT_PAGE_MAX_ITEMS;
  let bytes = 0;
  let taken = 0;
  return {
    items: () => items,
    take<T>(views: T[]): T[] {
      const out: T[] = [];
      for (const view of views) {
        const size = JSON.stringify(view).length;
        if (items === 0 || (taken > 0 && bytes + size > EXPORT_PAGE_MAX_BYTES)) break;
        out.push(view);
        items--;
        bytes += size;
        taken++;
      }
      return out;
    },
  };
}

function positionOf(row: { id: string; created_at?: Date; occurred_at?: Date } | undefined): ExportPosition {
  const at = row?.occurred_at ?? row?.created_at;
  if (row === undefined || at === undefined) throw new AppError('INTERNAL', 'export page ended without a row');
  return { at, id: row.id };
}

function encodeExportCursor(customerId: string, resume: ExportResume): string {
  return encodeCursor({
    c: customerId,
    a: resume.asOf.toISOString(),
    s: resume.section === 'notes' ? 'n' : 'e',
    t: resume.after?.at.toISOString() ?? null,
    id: resume.after?.id ?? null,
  });
}

function decodeExportCursor(cursor: string, customerId: string): ExportResume {
  const values = decodeCursor(cursor, cursorShape);
  if (values.c !== customerId || (values.t === null) !== (values.id === null)) {
    throw new AppError('VALIDATION_FAILED', 'cursor belongs to another export; request the first page again without a cursor.', {
      details: { field: 'cursor' },
    });
  }
  return {
    asOf: new Date(values.a),
    section: values.s === 'n' ? 'notes' : 'events',
    after: values.t === null || values.id === null ? undefined : { at: new Date(values.t), id: values.id },
  };
}
