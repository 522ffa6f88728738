import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderEvent } from '@mcpfed/contract-order';
import { createDatabase, newId, sql } from '@mcpfed/db';
import type { Database } from '@mcpfed/db';
import { expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { snapshotOf } from '../src/service/order-view.ts';
import type { OrderDatabase } from '../src/store/order-database.ts';
import { OrderStore } from '../src/store/order-store.ts';
import { OutboxStore } from '../src/store/outbox-store.ts';
import { startFederationStack } from './federation-stack.ts';
import type { FederationStack } from './federation-stack.ts';

// order_events followed by cursor while many transactions write events and commit in an order of their own: some
// commit at once, some stay open for seconds after taking their sequence number. A follower must see every event
// exactly once, and each order's events in the order they happened.

const ORDERS = 6;
const WRITERS = 24;
const WRITES_PER_WRITER = 12;
const SEED = 0x5eed_0010;

let stack: FederationStack;
let writerDb: Database<OrderDatabase>;
let follower: Client;

beforeAll(async () => {
  stack = await startFederationStack({ label: 'feed' });
  // No statement timeout: writers queue on an order's row lock behind transactions held open for seconds.
  writerDb = createDatabase<OrderDatabase>({
    connectionString: stack.orderDb.url,
    applicationName: 'feed-test-writers',
    max: WRITERS + 2,
    statementTimeoutMs: 0,
  });
  follower = await stack.mcp('order', ['order:read', 'customer:any']);
}, 120_000);

afterAll(async () => {
  await writerDb?.close();
  await stack?.close();
});

/** A replayable draw in [0, 1) for one decision of the run (writer, write, what): the same SEED, the same run. */
function draw(...parts: Array<string | number>): number {
  return (
    createHash('sha256')
      .update([SEED, ...parts].join(':'))
      .digest()
      .readUInt32BE(0) /
    2 ** 32
  );
}

interface Seen {
  id: string;
  orderId: string;
  version: number;
}

/** Follows the feed with `limit` per page until `stop()` says so and a page came back empty; returns what it saw, in order. */
async function follow(limit: number, stop: () => boolean): Promise<Seen[]> {
  const seen: Seen[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await expectToolOk<{ items: Array<{ event: OrderEvent }>; next_cursor: string }>(follower, 'order_events', {
      limit,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const { event } of page.items) seen.push({ id: event.id, orderId: event.order.order_id, version: event.order.order_version });
    cursor = page.next_cursor;
    if (page.items.length === 0) {
      if (stop()) return seen;
      await sleep(25);
    }
  }
}

describe('order_events as a feed', () => {
  it("gives a follower every event exactly once, in each order's order, while writers commit out of sequence order", async () => {
    const signal = new AbortController().signal;
    const orders = new OrderStore(writerDb.db, signal);
    const ids = Array.from({ length: ORDERS }, () => newId('ord'));
    for (const id of ids) {
      await orders.insert({
        id,
        principalId: 'feed-writer',
        idempotencyKey: idempotencyKey(),
        requestHash: 'h',
        customerId: newId('cus'),
        captureMode: 'immediate',
        currency: 'EUR',
        shippingAddressId: null,
        paymentMethod: 'pm_card_visa',
        lines: [{ sku: 'FEED-1', quantity: 1, unitPrice: 100 }],
      });
    }
    // Most transactions commit within milliseconds; some hold their event uncommitted for up to 2.5 s while later
    // sequence numbers commit around them.
    const plan = Array.from({ length: WRITERS }, (_, w) =>
      Array.from({ length: WRITES_PER_WRITER }, (__, i) => {
        const roll = draw(w, i, 'kind');
        const length = draw(w, i, 'length');
        const holdMs = roll < 0.6 ? Math.floor(length * 10) : roll < 0.9 ? 20 + Math.floor(length * 180) : 500 + Math.floor(length * 2000);
        return { orderId: ids[Math.floor(draw(w, i, 'order') * ORDERS)] as string, holdMs };
      }),
    );
    let writing = true;
    const followers = Promise.all([follow(100, () => !writing), follow(7, () => !writing)]);
    // A failed write must still stop the followers (they would go on calling a closed client).
    const stopFollowers = (): Promise<unknown> => {
      writing = false;
      return followers.catch(() => undefined);
    };
    // Writers that wait for an order's lock take their sequence after the holder commits; writers on other orders
    // take theirs in between, so commits interleave out of sequence order.
    await Promise.all(
      plan.map(async (writes) => {
        for (const { orderId, holdMs } of writes) {
          await writerDb.db.transaction().execute(async (trx) => {
            const inTrx = new OrderStore(trx, signal);
            await inTrx.get(orderId, { forUpdate: true });
            const updated = await inTrx.update(orderId, {});
            await new OutboxStore(trx, signal).append('order.placed', snapshotOf(updated));
            await sleep(holdMs);
          });
        }
      }),
    ).catch(async (error: unknown) => {
      await stopFollowers();
      throw error;
    });
    const written = await sql<{ id: string; order_id: string; version: number }>`
      SELECT id, order_id, (snapshot ->> 'order_version')::int AS version FROM order_events WHERE order_id = ANY(${ids})`.execute(stack.orderDb.db);
    expect(written.rows).toHaveLength(WRITERS * WRITES_PER_WRITER);
    // Every written event is in the feed once the relay has positioned it; then the followers may stop.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const unpositioned = await sql<{ n: string }>`SELECT count(*) AS n FROM order_events WHERE position IS NULL`
        .execute(stack.orderDb.db)
        .catch(() => ({ rows: [{ n: '?' }] }));
      if (unpositioned.rows[0]?.n === '0' || Date.now() > deadline) break;
      await sleep(50);
    }
    writing = false;
    const [bigPages, smallPages] = await followers;

    for (const seen of [bigPages, smallPages]) {
      const ofOrders = seen.filter((s) => ids.includes(s.orderId));
      expect(ofOrders).toHaveLength(written.rows.length);
      expect(new Set(ofOrders.map((s) => s.id))).toEqual(new Set(written.rows.map((r) => r.id)));
      for (const id of ids) {
        const versions = ofOrders.filter((s) => s.orderId === id).map((s) => s.version);
        expect(versions).toEqual(
          written.rows
            .filter((r) => r.order_id === id)
            .map((r) => r.version)
            .sort((x, y) => x - y),
        );
      }
    }
    expect(smallPages.map((s) => s.id)).toEqual(bigPages.map((s) => s.id));
  }, 120_000);
});
