import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { decodeCursor, keysetPage } from '@mcpfed/db';
import type { CustomerDatabase, CustomerEventsTable } from './customer-database.ts';

/** A `customer_events` row. */
export type EventRow = Selectable<CustomerEventsTable>;

/** A new timeline event; occurred_at defaults to the transaction's time. */
export interface NewEventRow {
  id: string;
  customer_id: string;
  type: string;
  actor: string;
  data: Record<string, unknown>;
  occurred_at?: Date;
}

/** A page of the timeline. */
export interface EventPage {
  rows: EventRow[];
  nextCursor: string | null;
}

/** Where an export page continues: the time and id of the last row of the previous page. */
export interface ExportPosition {
  at: Date;
  id: string;
}

/** Which rows an export page reads. */
export interface ExportPageQuery {
  /** Rows stamped later than this belong to a later export. */
  asOf: Date;
  /** Continue after this row; from the first row when undefined. */
  after?: ExportPosition | undefined;
  /** Rows at most. */
  limit: number;
}

/** Key in `data` holding free text a person may have typed (erased by anonymization). */
export const EVENT_REASON_KEY = 'reason';

const cursorShape = z.strictObject({ t: z.iso.datetime(), id: z.string().max(40) });

/** Repository of `customer_events`, the timeline. */
export class EventStore {
  readonly #db: Kysely<CustomerDatabase>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<CustomerDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /** Appends events (one multi-row INSERT). */
  async append(events: readonly NewEventRow[]): Promise<void> {
    if (events.length === 0) return;
    await this.#db
      .insertInto('customer_events')
      .values(events.map((event) => ({ ...event, data: JSON.stringify(event.data) })))
      .execute({ signal: this.#signal });
  }

  /** A page of a customer's events, newest first, optionally of some types only. */
  async page(customerId: string, options: { types?: readonly string[] | undefined; limit: number; cursor?: string | undefined }): Promise<EventPage> {
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, cursorShape);
    const afterTime = after === undefined ? undefined : new Date(after.t);
    const rows = await this.#db
      .selectFrom('customer_events')
      .selectAll()
      .where('customer_id', '=', customerId)
      .$if(options.types !== undefined, (qb) => qb.where('type', 'in', [...(options.types as string[])]))
      .$if(after !== undefined, (qb) => qb.where((eb) => eb(eb.refTuple('occurred_at', 'id'), '<', eb.tuple(afterTime as Date, (after as { id: string }).id))))
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit + 1)
      .execute({ signal: this.#signal });
    return keysetPage(rows, options.limit, (last) => ({ t: last.occurred_at.toISOString(), id: last.id }));
  }

  /**
   * A page of a customer's events for the export: those that occurred at or before `asOf`, oldest first, after
   * the position `after` (the last event of the previous page), at most `limit`.
   */
  async exportPage(customerId: string, page: ExportPageQuery): Promise<EventRow[]> {
    const after = page.after;
    return this.#db
      .selectFrom('customer_events')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('occurred_at', '<=', page.asOf)
      .$if(after !== undefined, (qb) =>
        qb.where((eb) => eb(eb.refTuple('occurred_at', 'id'), '>', eb.tuple((after as ExportPosition).at, (after as ExportPosition).id))),
      )
      .orderBy('occurred_at')
      .orderBy('id')
      .limit(page.limit)
      .execute({ signal: this.#signal });
  }

  /** How many of a customer's events hold a free-text reason. */
  async countWithReason(customerId: string): Promise<number> {
    const row = await this.#db
      .selectFrom('customer_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('customer_id', '=', customerId)
      .where(sql<boolean>`data ? ${EVENT_REASON_KEY}`)
      .executeTakeFirstOrThrow({ signal: this.#signal });
    return Number(row.n);
  }

  /** Removes the free-text reason from every event of a customer; returns how many events changed. */
  async eraseReasons(customerId: string): Promise<number> {
    const result = await this.#db
      .updateTable('customer_events')
      .set({ data: sql<string>`data - ${EVENT_REASON_KEY}::text` })
      .where('customer_id', '=', customerId)
      .where(sql<boolean>`data ? ${EVENT_REASON_KEY}`)
      .executeTakeFirst({ signal: this.#signal });
    return Number(result.numUpdatedRows);
  }
}
