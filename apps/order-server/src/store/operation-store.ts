import type { Kysely, Selectable } from 'kysely';
import type { OrderDatabase, OrderOperationsTable } from './order-database.ts';

/** An operation record. */
export type OperationRecord = Selectable<OrderOperationsTable>;

/** SQL over `order_operations`: the stored responses of order_cancel, order_refund and order_fulfill. */
export class OperationStore {
  /** The record of a key, if any. */
  async find(db: Kysely<OrderDatabase>, principalId: string, tool: string, key: string): Promise<OperationRecord | undefined> {
    return db
      .selectFrom('order_operations')
      .selectAll()
      .where('principal_id', '=', principalId)
      .where('tool', '=', tool)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
  }

  /** Stores the response of a finished operation; an existing record keeps its first response. */
  async complete(
    db: Kysely<OrderDatabase>,
    record: { principalId: string; tool: string; key: string; requestHash: string; orderId: string; response: unknown },
  ): Promise<void> {
    await db
      .insertInto('order_operations')
      .values({
        principal_id: record.principalId,
        tool: record.tool,
        idempotency_key: record.key,
        request_hash: record.requestHash,
        order_id: record.orderId,
        response: JSON.stringify(record.response),
      })
      .onConflict((oc) => oc.columns(['principal_id', 'tool', 'idempotency_key']).doNothing())
      .execute();
  }
}
