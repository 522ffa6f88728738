import type { Kysely } from 'kysely';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { EventStore } from '../store/event-store.ts';
import type { NewEventRow } from '../store/event-store.ts';
import { newId } from './new-id.ts';

/** Appends timeline events acted by the caller (`ctx.principal.id`), each with a new id. */
export async function recordEvents(
  db: Kysely<CustomerDatabase>,
  events: ReadonlyArray<Omit<NewEventRow, 'id' | 'actor'>>,
  ctx: Pick<RequestContext, 'principal' | 'signal'>,
): Promise<void> {
  await new EventStore(db, ctx.signal).append(events.map((event) => ({ ...event, id: newId('evt'), actor: ctx.principal.id })));
}
