import type { Kysely } from 'kysely';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { CustomerService } from '../service/customer-service.ts';
import { noteView } from '../service/customer-view.ts';
import type { CustomerOutput, NoteOutput, TimelineEventOutput } from '../service/customer-view.ts';
import { TimelineService } from '../service/timeline-service.ts';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { NoteStore } from '../store/note-store.ts';

/** What a customer prompt preloads. */
export interface CustomerPromptData {
  customer: CustomerOutput;
  recentEvents: TimelineEventOutput[];
  recentNotes: NoteOutput[];
}

/** Loads a customer's profile (masked per caller), latest events and latest notes for a prompt. */
export async function loadCustomerPromptData(
  db: Kysely<CustomerDatabase>,
  customerId: string,
  counts: { events: number; notes: number },
  ctx: RequestContext,
): Promise<CustomerPromptData> {
  const customer = await new CustomerService(db, ctx).profile({ id: customerId });
  const timeline = await new TimelineService(db, ctx).timeline({ customer_id: customerId, limit: counts.events });
  const notes = counts.notes === 0 ? [] : await new NoteStore(db, ctx.signal).latest(customerId, counts.notes);
  return { customer, recentEvents: timeline.items, recentNotes: notes.map(noteView) };
}
