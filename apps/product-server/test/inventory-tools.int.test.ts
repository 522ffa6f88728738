import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryPrompts, inventoryTools } from '@mcpfed/contract-product';
import { createMcpHost } from '@mcpfed/mcp-runtime';
import type { McpHost } from '@mcpfed/mcp-runtime';
import { createRedisConnection } from '@mcpfed/queue';
import { createLogger, createMetrics, initTracing } from '@mcpfed/telemetry';
import {
  callTool,
  connectLinkedClient,
  createTestDatabase,
  createTestRedis,
  expectToolError,
  expectToolOk,
  idempotencyKey,
  testPrincipal,
} from '@mcpfed/testing';
import type { TestDatabase, TestRedis, ToolErrorPayload } from '@mcpfed/testing';
import { buildInventoryBindings, createReservationExpiryQueue, startInventoryWorkers } from '../src/inventory/index.ts';
import type { InventoryTables, InventoryWorkers, ReservationExpiryQueue } from '../src/inventory/index.ts';
import { adjust, expectConsistent, insertProduct, inventoryTestMigrations, level, orderRef, stockedProduct } from './inventory-fixtures.ts';
import type { TestDb } from './inventory-fixtures.ts';

const logger = createLogger({ name: 'product-server', level: process.env['MCPFED_TEST_LOGS'] ? 'debug' : 'silent' });
let database: TestDatabase<InventoryTables>;
let db: TestDb;
let redis: TestRedis;
let expiry: ReservationExpiryQueue;
let workers: InventoryWorkers;
let host: McpHost<InventoryTables>;
const closers: Array<() => Promise<void>> = [];
let writer: Client;
let reader: Client;
let saga: Client;

interface Reservation {
  id: string;
  order_reference: string;
  status: string;
  lines: Array<{
    sku: string;
    location: string;
    quantity: number;
    unit_price: { amount: number; currency: string };
    line_total: { amount: number; currency: string };
  }>;
  total: { amount: number; currency: string };
  expires_at: string;
  finished_at: string | null;
}

beforeAll(async () => {
  database = await createTestDatabase<InventoryTables>({ name: 'inventory_tools', migrations: inventoryTestMigrations, max: 10 });
  db = database.db;
  redis = await createTestRedis({ label: 'inventory-tools' });
  const prefix = redis.prefix.replace(/:$/, '');
  const queueConnection = createRedisConnection({ url: redis.url, name: 'inventory-tools-queue', logger });
  closers.push(async () => queueConnection.disconnect());
  expiry = createReservationExpiryQueue({ connection: queueConnection, prefix, logger });
  workers = await startInventoryWorkers({
    db,
    logger,
    connection: createRedisConnection({ url: redis.url, name: 'inventory-tools-worker', logger }),
    prefix,
    sweepIntervalMs: 0,
  });
  const inventory = buildInventoryBindings<InventoryTables>({ expiry });
  host = createMcpHost<InventoryTables>({
    name: 'product-server',
    version: '0.0.0',
    db,
    ...inventory,
    logger,
    metrics: createMetrics({ service: 'product-server', collectDefault: false }),
    tracing: initTracing({ serviceName: 'product-server' }),
    auditFlushIntervalMs: 50,
  });
  for (const [scopes, subject, set] of [
    [['product:read', 'product:write'], 'stock-clerk', (c: Client) => (writer = c)],
    [['product:read'], 'analyst', (c: Client) => (reader = c)],
    [['product:read', 'product:write'], 'svc:order-server', (c: Client) => (saga = c)],
  ] as const) {
    const linked = await connectLinkedClient(host, testPrincipal(scopes, subject));
    closers.push(linked.close);
    set(linked.client);
  }
});

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await host?.close();
  await workers?.close();
  await expiry?.queue.obliterate({ force: true }).catch(() => undefined);
  await expiry?.close();
  await redis?.cleanup();
  await database?.drop();
});

describe('tools/list and prompts/list', () => {
  it('lists every inventory tool for a writer and hides writes from a reader', async () => {
    const all = (await writer.listTools()).tools;
    expect(all.map((t) => t.name)).toEqual(inventoryTools.map((t) => t.name));
    for (const tool of all) {
      expect(tool.inputSchema).toMatchObject({ type: 'object', additionalProperties: false });
      expect(Object.keys(tool.annotations ?? {})).toEqual(expect.arrayContaining(['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']));
    }
    const readable = (await reader.listTools()).tools.map((t) => t.name);
    expect(readable).toEqual(['inventory_get', 'inventory_low_stock', 'inventory_movements']);
    expect((await reader.listPrompts()).prompts.map((p) => p.name)).toEqual(inventoryPrompts.map((p) => p.name));
  });

  it('refuses a write to a caller without product:write (FORBIDDEN)', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 5 });
    const error = await expectToolError(reader, 'inventory_adjust', {
      sku,
      location: 'BER-1',
      delta: 1,
      reason: 'received',
      idempotency_key: idempotencyKey(),
    });
    expect(error.code).toBe('FORBIDDEN');
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 5 });
  });
});

describe('inventory_get', () => {
  it('returns totals and locations in the order asked, and lists skus not in the catalog apart', async () => {
    const a = await stockedProduct(db, { 'BER-1': 7, 'HAM-1': 3 });
    const empty = await insertProduct(db);
    const out = await expectToolOk<{ items: unknown[]; not_found: string[] }>(reader, 'inventory_get', { skus: [empty, a, 'NOPE-1', a] });
    expect(out).toEqual({
      items: [
        { sku: empty, on_hand: 0, reserved: 0, available: 0, locations: [] },
        {
          sku: a,
          on_hand: 10,
          reserved: 0,
          available: 10,
          locations: [
            { location: 'BER-1', on_hand: 7, reserved: 0, available: 7 },
            { location: 'HAM-1', on_hand: 3, reserved: 0, available: 3 },
          ],
        },
      ],
      not_found: ['NOPE-1'],
    });
    const one = await expectToolOk<{ items: Array<{ locations: unknown[]; on_hand: number }> }>(reader, 'inventory_get', { skus: [a], location: 'HAM-1' });
    expect(one.items[0]).toMatchObject({ on_hand: 3, locations: [{ location: 'HAM-1', on_hand: 3, reserved: 0, available: 3 }] });
    const result = await callTool(reader, 'inventory_get', { skus: [a] });
    expect(result.content).toContainEqual(expect.objectContaining({ type: 'resource_link', uri: `product://${a}` }));
  });

  it('VALIDATION_FAILED for malformed skus, too many skus or unknown fields', async () => {
    expect((await expectToolError(reader, 'inventory_get', { skus: ['lower-case'] })).code).toBe('VALIDATION_FAILED');
    expect((await expectToolError(reader, 'inventory_get', { skus: Array.from({ length: 101 }, (_v, i) => `SKU-${i}`) })).code).toBe('VALIDATION_FAILED');
    expect((await expectToolError(reader, 'inventory_get', { skus: [] })).code).toBe('VALIDATION_FAILED');
    expect((await expectToolError(reader, 'inventory_get', { skus: ['AB-1'], extra: true })).code).toBe('VALIDATION_FAILED');
  });
});

describe('inventory_adjust', () => {
  it('adjusts with a reason, replays a retry with the same key, refuses the key with other arguments', async () => {
    const sku = await insertProduct(db);
    const args = { sku, location: 'MUC-1', delta: 12, reason: 'received', reference: 'PO-77', note: 'pallet 3', idempotency_key: idempotencyKey() };
    const first = await expectToolOk<{ level: Record<string, unknown>; movement: Record<string, unknown>; dry_run: boolean; replayed: boolean }>(
      writer,
      'inventory_adjust',
      args,
    );
    expect(first.level).toMatchObject({ sku, location: 'MUC-1', on_hand: 12, reserved: 0, available: 12, version: 2 });
    expect(first.movement).toMatchObject({
      sku,
      location: 'MUC-1',
      kind: 'adjust',
      delta_on_hand: 12,
      delta_reserved: 0,
      on_hand_after: 12,
      reserved_after: 0,
      reason: 'received',
      reference: 'PO-77',
      note: 'pallet 3',
      actor: 'stock-clerk',
      reservation_id: null,
    });
    expect(first).toMatchObject({ dry_run: false, replayed: false });
    const again = await expectToolOk(writer, 'inventory_adjust', args);
    expect(again).toEqual({ ...first, replayed: true });
    expect(await level(db, sku, 'MUC-1')).toMatchObject({ on_hand: 12 });
    const reused = await expectToolError(writer, 'inventory_adjust', { ...args, delta: 13 });
    expect(reused.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('dry_run reports the result and writes nothing', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 5 });
    const before = await db.selectFrom('inventory_movements').select('id').where('sku', '=', sku).execute();
    const out = await expectToolOk<{ level: Record<string, unknown>; dry_run: boolean }>(writer, 'inventory_adjust', {
      sku,
      location: 'BER-1',
      delta: -5,
      reason: 'lost',
      idempotency_key: idempotencyKey(),
      dry_run: true,
    });
    expect(out).toMatchObject({ dry_run: true, level: { on_hand: 0, available: 0 } });
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 5, version: 2 });
    expect(await db.selectFrom('inventory_movements').select('id').where('sku', '=', sku).execute()).toEqual(before);
  });

  it('PRECONDITION_FAILED below available, NOT_FOUND for an unknown sku, VALIDATION_FAILED for delta 0 or a bad reason', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 2 });
    const low = await expectToolError(writer, 'inventory_adjust', { sku, location: 'BER-1', delta: -3, reason: 'damaged', idempotency_key: idempotencyKey() });
    expect(low).toMatchObject({ code: 'PRECONDITION_FAILED', retryable: false, details: { reason: 'insufficient_stock', available: 2, delta: -3 } });
    const unknown = await expectToolError(writer, 'inventory_adjust', {
      sku: 'NOPE-2',
      location: 'BER-1',
      delta: 1,
      reason: 'received',
      idempotency_key: idempotencyKey(),
    });
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', details: { skus: ['NOPE-2'] } });
    expect(
      (await expectToolError(writer, 'inventory_adjust', { sku, location: 'BER-1', delta: 0, reason: 'received', idempotency_key: idempotencyKey() })).code,
    ).toBe('VALIDATION_FAILED');
    expect(
      (await expectToolError(writer, 'inventory_adjust', { sku, location: 'BER-1', delta: 1, reason: 'gift', idempotency_key: idempotencyKey() })).code,
    ).toBe('VALIDATION_FAILED');
    expect((await expectToolError(writer, 'inventory_adjust', { sku, location: 'BER-1', delta: 1, reason: 'received' })).code).toBe('VALIDATION_FAILED');
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 2 });
  });
});

describe('checkout through MCP: reserve, commit, release', () => {
  it('reserves priced lines, replays by idempotency key and by order reference, refuses other lines', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 10 }, { price: 4599 });
    const order = orderRef();
    const args = { order_reference: order, lines: [{ sku, quantity: 2 }], idempotency_key: `checkout:${order}:reserve` };
    const first = await expectToolOk<{ reservation: Reservation; replayed: boolean }>(saga, 'inventory_reserve', args);
    expect(first.replayed).toBe(false);
    expect(first.reservation).toMatchObject({
      order_reference: order,
      status: 'active',
      lines: [{ sku, location: 'BER-1', quantity: 2, unit_price: { amount: 4599, currency: 'EUR' }, line_total: { amount: 9198, currency: 'EUR' } }],
      total: { amount: 9198, currency: 'EUR' },
      finished_at: null,
    });
    expect(Date.parse(first.reservation.expires_at) - Date.now()).toBeGreaterThan(890_000);
    const byKey = await expectToolOk(saga, 'inventory_reserve', args);
    expect(byKey).toEqual({ ...first, replayed: true });
    const byReference = await expectToolOk(saga, 'inventory_reserve', { ...args, idempotency_key: idempotencyKey() });
    expect(byReference).toEqual({ ...first, replayed: true });
    const otherLines = await expectToolError(saga, 'inventory_reserve', { ...args, lines: [{ sku, quantity: 3 }], idempotency_key: idempotencyKey() });
    expect(otherLines).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', details: { order_reference: order, reservation_id: first.reservation.id } });
    const sameKeyOtherLines = await expectToolError(saga, 'inventory_reserve', { ...args, lines: [{ sku, quantity: 3 }] });
    expect(sameKeyOtherLines.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await level(db, sku, 'BER-1')).toMatchObject({ reserved: 2, available: 8 });

    const committed = await expectToolOk<{ reservation: Reservation; changed: boolean; replayed: boolean }>(saga, 'inventory_commit', {
      reservation_id: first.reservation.id,
      idempotency_key: `checkout:${order}:commit`,
    });
    expect(committed).toMatchObject({ changed: true, replayed: false, reservation: { status: 'committed' } });
    const commitRetry = await expectToolOk(saga, 'inventory_commit', { reservation_id: first.reservation.id, idempotency_key: `checkout:${order}:commit` });
    expect(commitRetry).toEqual({ ...committed, replayed: true });
    const releaseAfterCommit = await expectToolError(saga, 'inventory_release', { order_reference: order, idempotency_key: `checkout:${order}:release` });
    expect(releaseAfterCommit).toMatchObject({ code: 'PRECONDITION_FAILED', details: { reason: 'reservation_final', status: 'committed' } });
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 8, reserved: 0, available: 8 });
    await expectConsistent(db);
  });

  it('releases by order reference (compensation), idempotently; commit after release is refused', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 3 });
    const order = orderRef();
    const reserved = await expectToolOk<{ reservation: Reservation }>(saga, 'inventory_reserve', {
      order_reference: order,
      lines: [{ sku, quantity: 3 }],
      idempotency_key: `checkout:${order}:reserve`,
    });
    const released = await expectToolOk<{ reservation: Reservation; changed: boolean }>(saga, 'inventory_release', {
      order_reference: order,
      idempotency_key: `checkout:${order}:release`,
    });
    expect(released).toMatchObject({ changed: true, reservation: { id: reserved.reservation.id, status: 'released' } });
    const again = await expectToolOk<{ changed: boolean }>(saga, 'inventory_release', {
      reservation_id: reserved.reservation.id,
      idempotency_key: idempotencyKey(),
    });
    expect(again.changed).toBe(false);
    const late = await expectToolError(saga, 'inventory_commit', { order_reference: order, idempotency_key: `checkout:${order}:commit` });
    expect(late).toMatchObject({ code: 'PRECONDITION_FAILED', details: { reason: 'reservation_final', status: 'released' } });
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 3, reserved: 0 });
  });

  it('error codes: insufficient stock, unknown sku, archived product, unknown reservation, both or neither target', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 1 });
    const short = await expectToolError(saga, 'inventory_reserve', {
      order_reference: orderRef(),
      lines: [{ sku, quantity: 2 }],
      idempotency_key: idempotencyKey(),
    });
    expect(short).toMatchObject({
      code: 'PRECONDITION_FAILED',
      retryable: false,
      details: { reason: 'insufficient_stock', lines: [{ sku, location: null, requested: 2, available: 1 }] },
    });
    const unknown = await expectToolError(saga, 'inventory_reserve', {
      order_reference: orderRef(),
      lines: [{ sku: 'NOPE-3', quantity: 1 }],
      idempotency_key: idempotencyKey(),
    });
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', details: { skus: ['NOPE-3'] } });
    const archived = await stockedProduct(db, { 'BER-1': 5 });
    await sql`UPDATE products SET status = 'archived', archived_at = now() WHERE sku = ${archived}`.execute(db);
    const notForSale = await expectToolError(saga, 'inventory_reserve', {
      order_reference: orderRef(),
      lines: [{ sku: archived, quantity: 1 }],
      idempotency_key: idempotencyKey(),
    });
    expect(notForSale).toMatchObject({
      code: 'PRECONDITION_FAILED',
      details: { reason: 'product_not_active', products: [{ sku: archived, status: 'archived' }] },
    });
    const missing = await expectToolError(saga, 'inventory_commit', { reservation_id: 'rsv_00000000000000000000000000', idempotency_key: idempotencyKey() });
    expect(missing.code).toBe('NOT_FOUND');
    expect((await expectToolError(saga, 'inventory_commit', { idempotency_key: idempotencyKey() })).code).toBe('VALIDATION_FAILED');
    expect(
      (
        await expectToolError(saga, 'inventory_release', {
          reservation_id: 'rsv_00000000000000000000000000',
          order_reference: 'x',
          idempotency_key: idempotencyKey(),
        })
      ).code,
    ).toBe('VALIDATION_FAILED');
    expect(
      (
        await expectToolError(saga, 'inventory_reserve', {
          order_reference: orderRef(),
          lines: [{ sku, quantity: 1 }],
          ttl_seconds: 0,
          idempotency_key: idempotencyKey(),
        })
      ).code,
    ).toBe('VALIDATION_FAILED');
  });

  it('40 concurrent reservations through the MCP client for a 10-unit sku reserve exactly 10', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 6, 'HAM-1': 4 });
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        callTool(saga, 'inventory_reserve', { order_reference: orderRef(), lines: [{ sku, quantity: 1 }], idempotency_key: idempotencyKey() }),
      ),
    );
    const succeeded = results.filter((r) => !r.isError);
    const refused = results.filter((r) => r.isError).map((r) => (r.structuredContent as { error: ToolErrorPayload }).error);
    expect(succeeded).toHaveLength(10);
    expect(refused).toHaveLength(30);
    expect(new Set(refused.map((e) => `${e.code}/${String(e.details?.['reason'])}`))).toEqual(new Set(['PRECONDITION_FAILED/insufficient_stock']));
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 6, reserved: 6, available: 0 });
    expect(await level(db, sku, 'HAM-1')).toMatchObject({ on_hand: 4, reserved: 4, available: 0 });
    await expectConsistent(db);
  });

  it('a reservation made through MCP expires through its BullMQ job', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 2 });
    const out = await expectToolOk<{ reservation: Reservation }>(saga, 'inventory_reserve', {
      order_reference: orderRef(),
      lines: [{ sku, quantity: 2 }],
      ttl_seconds: 1,
      idempotency_key: idempotencyKey(),
    });
    expect(await level(db, sku, 'BER-1')).toMatchObject({ available: 0 });
    const deadline = Date.now() + 8000;
    let status = 'active';
    while (status === 'active' && Date.now() < deadline) {
      await sleep(100);
      status = (await db.selectFrom('reservations').select('status').where('id', '=', out.reservation.id).executeTakeFirstOrThrow()).status;
    }
    expect(status).toBe('expired');
    expect(await level(db, sku, 'BER-1')).toMatchObject({ on_hand: 2, reserved: 0, available: 2 });
    const commit = await expectToolError(saga, 'inventory_commit', { reservation_id: out.reservation.id, idempotency_key: idempotencyKey() });
    expect(commit).toMatchObject({ code: 'PRECONDITION_FAILED', details: { reason: 'reservation_final', status: 'expired' } });
  });
});

describe('inventory_low_stock', () => {
  it('pages low levels of active products lowest first, by threshold and location', async () => {
    // No other level of this file is at or below 2 at MUC-1 (checked below), so the pages are exact.
    const skus = [
      await stockedProduct(db, { 'MUC-1': 3 }),
      await stockedProduct(db, { 'MUC-1': 1 }),
      await stockedProduct(db, { 'MUC-1': 2 }),
      await stockedProduct(db, { 'MUC-1': 2 }),
    ];
    const archived = await stockedProduct(db, { 'MUC-1': 1 });
    await sql`UPDATE products SET status = 'archived', archived_at = now() WHERE sku = ${archived}`.execute(db);
    const others = await sql<{
      sku: string;
    }>`SELECT sku FROM inventory_levels WHERE location = 'MUC-1' AND available <= 2 AND sku <> ALL(${[...skus, archived]}::text[])`.execute(db);
    expect(others.rows).toEqual([]);
    const [, one, twoA, twoB] = skus as [string, string, string, string];
    const [firstTwo, secondTwo] = twoA < twoB ? [twoA, twoB] : [twoB, twoA];
    const page1 = await expectToolOk<{ items: Array<{ sku: string; available: number }>; next_cursor: string | null }>(reader, 'inventory_low_stock', {
      threshold: 2,
      location: 'MUC-1',
      limit: 2,
    });
    expect(page1.items).toEqual([
      { sku: one, location: 'MUC-1', on_hand: 1, reserved: 0, available: 1 },
      { sku: firstTwo, location: 'MUC-1', on_hand: 2, reserved: 0, available: 2 },
    ]);
    expect(page1.next_cursor).not.toBeNull();
    const page2 = await expectToolOk<{ items: Array<{ sku: string }>; next_cursor: string | null }>(reader, 'inventory_low_stock', {
      threshold: 2,
      location: 'MUC-1',
      limit: 2,
      cursor: page1.next_cursor,
    });
    expect(page2).toEqual({ items: [{ sku: secondTwo, location: 'MUC-1', on_hand: 2, reserved: 0, available: 2 }], next_cursor: null });
    const bad = await expectToolError(reader, 'inventory_low_stock', { cursor: 'not-a-cursor' });
    expect(bad).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'cursor' } });
  });
});

describe('inventory_movements', () => {
  it('lists the ledger newest first with filters and a cursor; deltas add up to the level', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 9 });
    const order = orderRef();
    const { reservation } = await expectToolOk<{ reservation: Reservation }>(saga, 'inventory_reserve', {
      order_reference: order,
      lines: [{ sku, quantity: 4 }],
      idempotency_key: idempotencyKey(),
    });
    await expectToolOk(saga, 'inventory_commit', { reservation_id: reservation.id, idempotency_key: idempotencyKey() });
    await adjust(db, sku, 'BER-1', -1, 'damaged');
    type Movement = {
      id: number;
      kind: string;
      delta_on_hand: number;
      delta_reserved: number;
      on_hand_after: number;
      reserved_after: number;
      reference: string | null;
      reservation_id: string | null;
      actor: string;
    };
    const page1 = await expectToolOk<{ items: Movement[]; next_cursor: string | null }>(reader, 'inventory_movements', { filter: { sku }, limit: 2 });
    expect(page1.items.map((m) => [m.kind, m.delta_on_hand, m.delta_reserved, m.on_hand_after, m.reserved_after])).toEqual([
      ['adjust', -1, 0, 4, 0],
      ['commit', -4, -4, 5, 0],
    ]);
    const page2 = await expectToolOk<{ items: Movement[]; next_cursor: string | null }>(reader, 'inventory_movements', {
      filter: { sku },
      limit: 2,
      cursor: page1.next_cursor,
    });
    expect(page2.items.map((m) => [m.kind, m.delta_on_hand, m.delta_reserved])).toEqual([
      ['reserve', 0, 4],
      ['adjust', 9, 0],
    ]);
    expect(page2.next_cursor).toBeNull();
    const all = [...page1.items, ...page2.items];
    expect(all.reduce((s, m) => s + m.delta_on_hand, 0)).toBe(4);
    expect(all.reduce((s, m) => s + m.delta_reserved, 0)).toBe(0);
    expect(all[0]?.id).toBeGreaterThan(all[1]?.id ?? Infinity);
    const byOrder = await expectToolOk<{ items: Movement[] }>(reader, 'inventory_movements', { filter: { reference: order } });
    expect(byOrder.items.map((m) => [m.kind, m.reservation_id, m.actor])).toEqual([
      ['commit', reservation.id, 'svc:order-server'],
      ['reserve', reservation.id, 'svc:order-server'],
    ]);
    const commits = await expectToolOk<{ items: Movement[] }>(reader, 'inventory_movements', { filter: { sku, kinds: ['commit', 'release'] } });
    expect(commits.items.map((m) => m.kind)).toEqual(['commit']);
    const byReservation = await expectToolOk<{ items: Movement[] }>(reader, 'inventory_movements', {
      filter: { reservation_id: reservation.id, location: 'BER-1' },
    });
    expect(byReservation.items).toHaveLength(2);
    expect((await expectToolError(reader, 'inventory_movements', { cursor: 'eyJpZCI6Ingi' })).code).toBe('VALIDATION_FAILED');
  });
});

describe('inventory_low_stock_triage', () => {
  it('preloads the low levels with 30-day sales and other locations, and validates its arguments', async () => {
    const sku = await stockedProduct(db, { 'BER-1': 4, 'HAM-1': 50 });
    const order = orderRef();
    const { reservation } = await expectToolOk<{ reservation: Reservation }>(saga, 'inventory_reserve', {
      order_reference: order,
      lines: [{ sku, quantity: 3, location: 'BER-1' }],
      idempotency_key: idempotencyKey(),
    });
    await expectToolOk(saga, 'inventory_commit', { reservation_id: reservation.id, idempotency_key: idempotencyKey() });
    const prompt = await reader.getPrompt({ name: 'inventory_low_stock_triage', arguments: { threshold: '1', location: 'BER-1' } });
    expect(prompt.description).toBe('Low stock triage (location BER-1, threshold 1)');
    const text = (prompt.messages[0]?.content as { text: string }).text;
    expect(text).toContain('Triage the low stock of location BER-1: levels with at most 1 available units');
    const json = JSON.parse(text.slice(text.indexOf('[')));
    expect(json).toContainEqual({
      sku,
      location: 'BER-1',
      on_hand: 1,
      reserved: 0,
      available: 1,
      sold_last_30_days: 3,
      other_locations: [{ location: 'HAM-1', available: 50 }],
    });
    await expect(reader.getPrompt({ name: 'inventory_low_stock_triage', arguments: { threshold: 'many' } })).rejects.toThrow(/threshold/);
  });
});
