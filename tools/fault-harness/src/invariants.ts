import { setTimeout as sleep } from 'node:timers/promises';
import { withClient } from '@mcpfed/db';
import type { AcknowledgedOrder } from './load-driver.ts';

/** The outcome of one invariant. */
export interface InvariantResult {
  readonly name: string;
  readonly ok: boolean;
  /** What was counted, or what broke (ids, not personal data). */
  readonly detail: string;
}

/** Database URL of each domain. */
export type DomainDatabases = Readonly<Record<'customer' | 'order' | 'product' | 'payment', string>>;

/** Statuses an order may have reached from each acknowledged status. */
const LATER_STATUSES: Readonly<Record<string, readonly string[]>> = {
  pending: ['pending', 'confirmed', 'failed', 'fulfilled', 'delivered', 'cancelled', 'partially_refunded', 'refunded'],
  confirmed: ['confirmed', 'fulfilled', 'delivered', 'cancelled', 'partially_refunded', 'refunded'],
  failed: ['failed'],
};

const APP = { applicationName: 'mcpfed-fault-harness' };

async function count(url: string, text: string, values: unknown[] = []): Promise<number> {
  return withClient(url, async (client) => Number((await client.query<{ n: string }>(text, values)).rows[0]?.n ?? 0), APP);
}

/** Stock never negative, reserved never above on hand, the stock ledger sums to every level, reserved = open reservations. */
export async function checkNoOversell(databases: DomainDatabases): Promise<InvariantResult> {
  const url = databases.product;
  const broken = await count(url, 'SELECT count(*) AS n FROM inventory_levels WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand');
  const offLedger = await count(
    url,
    `SELECT count(*) AS n FROM inventory_levels l
       LEFT JOIN (SELECT sku, location, sum(delta_on_hand) AS on_hand, sum(delta_reserved) AS reserved FROM inventory_movements GROUP BY 1, 2) m
         USING (sku, location)
      WHERE coalesce(m.on_hand, 0) <> l.on_hand OR coalesce(m.reserved, 0) <> l.reserved`,
  );
  const offReservations = await count(
    url,
    `SELECT count(*) AS n FROM inventory_levels l
       LEFT JOIN (SELECT rl.sku, rl.location, sum(rl.quantity) AS quantity FROM reservation_lines rl
                    JOIN reservations r ON r.id = rl.reservation_id WHERE r.status = 'active' GROUP BY 1, 2) a
         USING (sku, location)
      WHERE coalesce(a.quantity, 0) <> l.reserved`,
  );
  return {
    name: 'no oversell',
    ok: broken + offLedger + offReservations === 0,
    detail: `${broken} levels negative or over-reserved, ${offLedger} not equal to their stock ledger, ${offReservations} whose reserved differs from open reservations`,
  };
}

/** No two orders share a key, and each acknowledged key has exactly the acknowledged order. */
export async function checkOneOrderPerKey(databases: DomainDatabases, acknowledged: readonly AcknowledgedOrder[]): Promise<InvariantResult> {
  const duplicates = await count(
    databases.order,
    'SELECT count(*) AS n FROM (SELECT 1 FROM orders GROUP BY principal_id, idempotency_key HAVING count(*) > 1) d',
  );
  const rows = await withClient(
    databases.order,
    async (client) =>
      (
        await client.query<{ key: string; ids: string[] }>(
          'SELECT idempotency_key AS key, array_agg(id) AS ids FROM orders WHERE idempotency_key = ANY($1) GROUP BY 1',
          [acknowledged.map((o) => o.idempotencyKey)],
        )
      ).rows,
    APP,
  );
  const byKey = new Map(rows.map((row) => [row.key, row.ids]));
  const wrong = acknowledged.filter((order) => {
    const ids = byKey.get(order.idempotencyKey) ?? [];
    return ids.length !== 1 || ids[0] !== order.orderId;
  });
  return {
    name: 'one order per idempotency key',
    ok: duplicates === 0 && wrong.length === 0,
    detail: `${acknowledged.length} keys acknowledged; ${duplicates} keys with several orders; ${wrong.length} acknowledged keys without exactly their order${sample(wrong.map((o) => o.idempotencyKey))}`,
  };
}

/** Every acknowledged order exists with the acknowledged status or one it may have moved on to. */
export async function checkAcknowledgedPresent(databases: DomainDatabases, acknowledged: readonly AcknowledgedOrder[]): Promise<InvariantResult> {
  const rows = await withClient(
    databases.order,
    async (client) =>
      (await client.query<{ id: string; status: string }>('SELECT id, status FROM orders WHERE id = ANY($1)', [acknowledged.map((o) => o.orderId)])).rows,
    APP,
  );
  const status = new Map(rows.map((row) => [row.id, row.status]));
  const missing = acknowledged.filter((order) => !status.has(order.orderId));
  const regressed = acknowledged.filter(
    (order) => status.has(order.orderId) && !(LATER_STATUSES[order.status] ?? [order.status]).includes(status.get(order.orderId) as string),
  );
  return {
    name: 'every acknowledged call present',
    ok: missing.length === 0 && regressed.length === 0,
    detail: `${acknowledged.length} acknowledged orders; ${missing.length} missing${sample(missing.map((o) => o.orderId))}; ${regressed.length} with an earlier or other status than acknowledged${sample(regressed.map((o) => `${o.orderId} ${o.status}->${status.get(o.orderId)}`))}`,
  };
}

/** Every ledger transaction balances (debits = credits), so the whole ledger does. */
export async function checkLedgerBalanced(databases: DomainDatabases): Promise<InvariantResult> {
  const unbalanced = await count(
    databases.payment,
    `SELECT count(*) AS n FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id
       HAVING sum(CASE direction WHEN 'debit' THEN amount ELSE -amount END) <> 0) t`,
  );
  const transactions = await count(databases.payment, 'SELECT count(*) AS n FROM ledger_transactions');
  return { name: 'payment ledger balanced', ok: unbalanced === 0, detail: `${transactions} transactions, ${unbalanced} unbalanced` };
}

/**
 * Money follows orders: no capture for an order that is not confirmed (or later), and every settled order's
 * captured amount is what the payment server captured for it.
 */
export async function checkPaymentsMatchOrders(databases: DomainDatabases): Promise<InvariantResult> {
  const orders = await withClient(
    databases.order,
    async (client) =>
      (
        await client.query<{ id: string; status: string; captured: string }>(
          // Settled: the order left pending and its checkout is over (a confirmed order may still be capturing).
          `SELECT o.id, o.status, o.amount_captured AS captured FROM orders o
             LEFT JOIN checkout_sagas s ON s.order_id = o.id
            WHERE o.status <> 'pending' AND coalesce(s.status, 'completed') IN ('completed', 'failed')`,
        )
      ).rows,
    APP,
  );
  const payments = await withClient(
    databases.payment,
    async (client) =>
      (await client.query<{ ref: string; captured: string }>('SELECT order_ref AS ref, sum(amount_captured) AS captured FROM payments GROUP BY order_ref'))
        .rows,
    APP,
  );
  // Read after the payments: an order is confirmed before its payment is captured, so every capture read above has
  // its order out of pending here — unless it really is pending or unknown. (Read before them, an order confirmed and
  // captured in between, or one still running its last steps, would look like a capture without an order.)
  const confirmed = await withClient(
    databases.order,
    async (client) => (await client.query<{ id: string }>(`SELECT id FROM orders WHERE status <> 'pending'`)).rows,
    APP,
  );
  const capturedByRef = new Map(payments.map((row) => [row.ref, BigInt(row.captured)]));
  const mismatched = orders.filter((order) => (capturedByRef.get(order.id) ?? 0n) !== BigInt(order.captured));
  const known = new Set(confirmed.map((order) => order.id));
  const pendingOrUnknown = payments.filter((row) => BigInt(row.captured) > 0n && row.ref.startsWith('ord_') && !known.has(row.ref));
  return {
    name: 'payments match orders',
    ok: mismatched.length === 0 && pendingOrUnknown.length === 0,
    detail: `${orders.length} settled orders; ${mismatched.length} whose capture differs from the payment server's${sample(mismatched.map((o) => o.id))}; ${pendingOrUnknown.length} captures for a pending or unknown order${sample(pendingOrUnknown.map((p) => p.ref))}`,
  };
}

/**
 * The customer projection caught up: within `boundMs`, every order's newest event is reflected in the customer
 * database (its snapshot at least as new) and each customer's order count equals the counted orders of the order
 * database.
 */
export async function checkProjectionCaughtUp(databases: DomainDatabases, boundMs: number): Promise<InvariantResult> {
  const deadline = Date.now() + boundMs;
  const started = Date.now();
  for (;;) {
    const { behind, countsOff, orders } = await projectionLag(databases);
    if ((behind.length === 0 && countsOff.length === 0) || Date.now() >= deadline) {
      return {
        name: 'projections caught up',
        ok: behind.length === 0 && countsOff.length === 0,
        detail:
          behind.length === 0 && countsOff.length === 0
            ? `${orders} orders reflected in the customer statistics after ${((Date.now() - started) / 1000).toFixed(1)} s`
            : `after ${(boundMs / 1000).toFixed(0)} s, ${behind.length} of ${orders} orders not reflected${sample(behind)}; ${countsOff.length} customers with another order count${sample(countsOff)}`,
      };
    }
    await sleep(500);
  }
}

async function projectionLag(databases: DomainDatabases): Promise<{ behind: string[]; countsOff: string[]; orders: number }> {
  const latest = await withClient(
    databases.order,
    async (client) =>
      (
        await client.query<{ order_id: string; customer_id: string; version: number; counted: boolean }>(
          `SELECT DISTINCT ON (order_id) order_id, customer_id, (snapshot->>'order_version')::int AS version, (snapshot->>'counted')::boolean AS counted
             FROM order_events ORDER BY order_id, sequence DESC`,
        )
      ).rows,
    APP,
  );
  const customerIds = [...new Set(latest.map((row) => row.customer_id))];
  const [snapshots, stats] = await withClient(
    databases.customer,
    async (client) => [
      (
        await client.query<{ order_id: string; version: number }>(
          'SELECT order_id, order_version AS version FROM customer_order_snapshots WHERE order_id = ANY($1)',
          [latest.map((row) => row.order_id)],
        )
      ).rows,
      (
        await client.query<{ customer_id: string; n: number }>('SELECT customer_id, order_count AS n FROM customer_order_stats WHERE customer_id = ANY($1)', [
          customerIds,
        ])
      ).rows,
    ],
    APP,
  );
  const held = new Map(snapshots.map((row) => [row.order_id, row.version]));
  const behind = latest.filter((row) => (held.get(row.order_id) ?? -1) < row.version).map((row) => row.order_id);
  const expected = new Map<string, number>();
  for (const row of latest) if (row.counted) expected.set(row.customer_id, (expected.get(row.customer_id) ?? 0) + 1);
  const counted = new Map(stats.map((row) => [row.customer_id, row.n]));
  const countsOff = customerIds.filter((id) => (counted.get(id) ?? 0) !== (expected.get(id) ?? 0));
  return { behind, countsOff, orders: latest.length };
}

/** A LIKE pattern matching every string that starts with `prefix`. */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
}

function sample(items: readonly string[]): string {
  return items.length === 0 ? '' : ` (e.g. ${items.slice(0, 3).join(', ')})`;
}

/**
 * Every checkout of this run ended within `boundMs`: no order left pending and no checkout still running or
 * compensating (a confirmed order may still be capturing) — the saga, its queue and its sweeper did their work.
 */
export async function checkCheckoutsFinished(databases: DomainDatabases, keyPrefix: string, boundMs: number): Promise<InvariantResult> {
  const started = Date.now();
  const deadline = started + boundMs;
  const pattern = likePrefix(keyPrefix);
  for (;;) {
    const rows = await withClient(
      databases.order,
      async (client) =>
        (
          await client.query<{ id: string }>(
            `SELECT o.id FROM orders o LEFT JOIN checkout_sagas s ON s.order_id = o.id
              WHERE o.idempotency_key LIKE $1 AND (o.status = 'pending' OR s.status IN ('running', 'compensating'))`,
            [pattern],
          )
        ).rows,
      APP,
    );
    if (rows.length === 0 || Date.now() >= deadline) {
      return {
        name: 'checkouts finished',
        ok: rows.length === 0,
        detail:
          rows.length === 0
            ? `every checkout of this run over (after ${((Date.now() - started) / 1000).toFixed(1)} s)`
            : `${rows.length} checkouts still pending or running after ${(boundMs / 1000).toFixed(0)} s${sample(rows.map((row) => row.id))}`,
      };
    }
    await sleep(500);
  }
}

/**
 * The checkouts open when a fault ended finished within `withinMs` of it (issue 12: within 10 s of Redis's return):
 * every order of this run placed before `endedAt` (epoch ms) is confirmed or failed by `endedAt + withinMs`. Waits
 * until that moment has passed. Compares the database's timestamps with this machine's clock.
 */
export async function checkCheckoutsFinishedWithin(databases: DomainDatabases, keyPrefix: string, endedAt: number, withinMs: number): Promise<InvariantResult> {
  const deadline = endedAt + withinMs;
  if (Date.now() < deadline) await sleep(deadline - Date.now() + 100);
  const pattern = likePrefix(keyPrefix);
  const late = await withClient(
    databases.order,
    async (client) =>
      (
        await client.query<{ id: string; status: string }>(
          `SELECT o.id, o.status FROM orders o LEFT JOIN checkout_sagas s ON s.order_id = o.id
            WHERE o.idempotency_key LIKE $1 AND o.placed_at <= to_timestamp($2 / 1000.0)
              AND (o.status = 'pending' OR s.status IN ('running', 'compensating')
                   OR coalesce(s.finished_at, o.confirmed_at, o.updated_at) > to_timestamp($3 / 1000.0))`,
          [pattern, endedAt, deadline],
        )
      ).rows,
    APP,
  );
  return {
    name: `open checkouts finished within ${(withinMs / 1000).toFixed(0)} s`,
    ok: late.length === 0,
    detail:
      late.length === 0
        ? 'every order placed before the fault ended was settled in time'
        : `${late.length} orders settled later or not yet${sample(late.map((row) => `${row.id} ${row.status}`))}`,
  };
}
