import type { Kysely } from 'kysely';
import { customerReachOf, requireCustomer } from '@mcpfed/auth';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import type { customerAddNote, customerTimeline } from '@mcpfed/contract-customer';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { CustomerStore } from '../store/customer-store.ts';
import { EventStore } from '../store/event-store.ts';
import { NoteStore } from '../store/note-store.ts';
import { eventView, noteView } from './customer-view.ts';
import { lockForChange } from './lock-for-change.ts';
import { newId } from './new-id.ts';
import { recordEvents } from './record-events.ts';
import { withinTransaction } from './within-transaction.ts';

/**
 * A customer's history: staff notes (authored by the caller, `ctx.principal.id`) and the timeline of events.
 * Notes do not change the customer's version. One instance serves one call, like `CustomerService`, with the
 * same customer binding.
 */
export class TimelineService {
  readonly #db: Kysely<CustomerDatabase>;
  readonly #ctx: RequestContext;

  constructor(db: Kysely<CustomerDatabase>, ctx: RequestContext) {
    this.#db = db;
    this.#ctx = ctx;
  }

  /** customer_add_note: a staff note and its event. */
  async addNote(input: ContractInput<typeof customerAddNote>): Promise<ContractOutput<typeof customerAddNote>> {
    return withinTransaction(this.#db, async (db) => {
      const current = await lockForChange(new CustomerStore(db, this.#ctx.signal), input.customer_id, undefined, this.#ctx);
      const note = await new NoteStore(db, this.#ctx.signal).insert({
        id: newId('note'),
        customer_id: current.id,
        body: input.body,
        author: this.#ctx.principal.id,
      });
      await recordEvents(db, [{ customer_id: current.id, type: 'customer.note_added', data: { note_id: note.id } }], this.#ctx);
      return { customer_id: current.id, note: noteView(note), replayed: false };
    });
  }

  /** customer_timeline: the customer's events, newest first, by keyset. */
  async timeline(input: ContractInput<typeof customerTimeline>): Promise<ContractOutput<typeof customerTimeline>> {
    requireCustomer(customerReachOf(this.#ctx.principal), input.customer_id);
    await new CustomerStore(this.#db, this.#ctx.signal).get(input.customer_id);
    const page = await new EventStore(this.#db, this.#ctx.signal).page(input.customer_id, {
      types: input.filter?.types,
      limit: input.limit,
      cursor: input.cursor,
    });
    return { items: page.rows.map(eventView), next_cursor: page.nextCursor };
  }
}
