/**
 * The model-facing check: every tool the router lists is called with arguments built only from its listed input
 * schema and descriptions (test/fixtures/arguments-from-schema.ts), with ids from a seeded federation. The SDK
 * client also checks each result against the listed (compacted) output schema.
 *
 * Read-only tools (29) must all succeed. Write tools (27) are called one after another as a model works: before
 * each, it calls the read tools for the record the write names (a read whose required inputs the write's
 * arguments give, keyed by an id: order_get for order_id) and the read tools its description names, and fills a
 * field named X (or expected_X) from a field named X in what it read or wrote before; a tool with dry_run is
 * called with dry_run=true first; each call gets a fresh idempotency key; a *_create tool makes up its fields.
 * Destructive tools run last, the irreversible ones (anonymize) after them, each from what the model knew before
 * the first of them. No argument is written per tool.
 *
 * 21 of 27 succeed. The 6 left each need a record in a state an earlier write of the same pass has moved on, and
 * get the documented PRECONDITION_FAILED for that state: order_workflow_retry (needs an unfinished checkout; every
 * checkout here completes), order_cancel (the order it read was shipped and delivered by order_fulfill and
 * order_mark_delivered), product_set_price and inventory_reserve (product_archive archived the product before
 * them), inventory_release (inventory_commit committed the reservation), payment_void (payment_capture captured the
 * authorization).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callTool, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { FEDERATION_SCOPES } from '../src/config.ts';
import { argumentsFromSchema, knownFromResult } from './fixtures/arguments-from-schema.ts';
import { spawnFederation } from './fixtures/spawn-federation.ts';
import type { SpawnedFederation } from './fixtures/spawn-federation.ts';

let federation: SpawnedFederation;
let admin: Client;
const seeded: string[] = [];
let tools: Array<{ name: string; description?: string; inputSchema: Record<string, unknown>; annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean } }>;

beforeAll(async () => {
  const importDir = await mkdtemp(path.join(tmpdir(), 'model-check-import-'));
  await writeFile(path.join(importDir, 'one.jsonl'), `${JSON.stringify({ sku: 'MDL-IMPORTED', name: 'Imported lamp', category: 'test-goods', price_amount: 999, currency: 'EUR' })}\n`);
  // The file product_import's description gives as its example, as a user would have put it there.
  await writeFile(path.join(importDir, 'catalog-2025-06.jsonl'), `${JSON.stringify({ sku: 'MDL-CATALOG', name: 'Catalog lamp', category: 'test-goods', price_amount: 1299, currency: 'EUR' })}\n`);
  federation = await spawnFederation({ name: 'm', serverEnv: { product: { PRODUCT_IMPORT_DIR: importDir } } });
  admin = await federation.connect(FEDERATION_SCOPES, 'model-check');
  const created = await expectToolOk<{ customer: { id: string; addresses: Array<{ id: string }> } }>(admin, 'customer_create', {
    email: `${idempotencyKey()}@example.com`,
    first_name: 'Model',
    last_name: 'Check',
    addresses: [{ kind: 'shipping', line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DE' }],
  });
  const sku = `MDL-${idempotencyKey().slice(0, 8).toUpperCase()}`;
  await expectToolOk(admin, 'product_create', { sku, name: 'Model check lamp', category: 'test-goods', price: { amount: 2599, currency: 'EUR' } });
  await expectToolOk(admin, 'inventory_adjust', { sku, location: 'BER-1', delta: 5, reason: 'received', idempotency_key: idempotencyKey() });
  const placed = (await admin.callTool(
    { name: 'order_place', arguments: { customer_id: created.customer.id, lines: [{ sku, quantity: 1 }], payment_method: 'pm_card_visa', idempotency_key: idempotencyKey(), wait_ms: 20_000 } },
    undefined,
    { timeout: 40_000 },
  )) as unknown as { structuredContent: { order: { id: string; payment: { payment_id: string | null }; reservation_id: string | null } } };
  const order = placed.structuredContent.order;
  const started = await expectToolOk<{ import: { id: string } }>(admin, 'product_import', { source: { path: 'one.jsonl' }, format: 'jsonl', idempotency_key: idempotencyKey() });
  seeded.push(started.import.id);
  seeded.push(created.customer.id, ...created.customer.addresses.map((a) => a.id), sku, order.id);
  if (order.payment.payment_id) seeded.push(order.payment.payment_id);
  if (order.reservation_id) seeded.push(order.reservation_id);
  tools = (await admin.listTools()).tools as typeof tools;
}, 180_000);

afterAll(async () => {
  await federation?.close();
}, 60_000);

describe('every read-only tool, called as a model would from its listing', () => {
  it('covers every read-only tool listed', () => {
    expect(tools.filter((tool) => tool.annotations?.readOnlyHint === true).length).toBe(29);
  });

  it('succeeds with arguments built from the schema and description alone', async () => {
    const outcomes: Record<string, string> = {};
    for (const tool of tools.filter((t) => t.annotations?.readOnlyHint === true)) {
      const built = argumentsFromSchema(tool.inputSchema, seeded);
      if ('unbuildable' in built) {
        outcomes[tool.name] = `unbuildable ${built.unbuildable}`;
        continue;
      }
      const result = await callTool(admin, tool.name, built.args);
      outcomes[tool.name] = result.isError === true ? `${(result.structuredContent as { error: { code: string; message: string } }).error.code}: ${(result.structuredContent as { error: { message: string } }).error.message}` : 'ok';
    }
    expect(Object.entries(outcomes).filter(([, outcome]) => outcome !== 'ok')).toEqual([]);
  }, 120_000);
});

/** The outcome of one call as the report lists it: "ok", or the error code and message. */
function outcome(result: { isError?: boolean; structuredContent?: unknown }): string {
  if (result.isError !== true) return 'ok';
  const error = (result.structuredContent as { error: { code: string; message: string } }).error;
  return `${error.code}: ${error.message}`;
}

describe('every write tool, called as a model would after reading what its description names', () => {
  it('covers every write tool listed', () => {
    expect(tools.filter((tool) => tool.annotations?.readOnlyHint !== true).length).toBe(27);
  });

  it('succeeds with arguments built from the schema, the description and what the model read first', async () => {
    const reads = tools.filter((t) => t.annotations?.readOnlyHint === true);
    // Destructive tools last, and those that cannot be undone (not idempotent) after them.
    const rank = (t: (typeof tools)[number]): number => (t.annotations?.destructiveHint === true ? 1 : 0) + (t.annotations?.destructiveHint === true && t.annotations.idempotentHint !== true ? 1 : 0);
    const writes = tools.filter((t) => t.annotations?.readOnlyHint !== true).sort((a, b) => rank(a) - rank(b));
    let known: Record<string, unknown> = {};
    const remember = (result: { structuredContent?: unknown }): void => {
      known = { ...known, ...knownFromResult(result.structuredContent) };
    };
    const outcomes: Record<string, string> = {};
    const log: Record<string, unknown> = {};
    let beforeDestructive: Record<string, unknown> | undefined;
    for (const tool of writes) {
      // Each destructive tool starts from what the model knew before the first of them, not from what another
      // destructive call left behind (its own fixture: the records the constructive calls made).
      if (tool.annotations?.destructiveHint === true) {
        beforeDestructive ??= known;
        known = beforeDestructive;
      }
      // A create names a new record: its fields are made up from the schema, not taken from records seen before.
      const creates = tool.name.endsWith('_create');
      const first = creates ? argumentsFromSchema(tool.inputSchema, []) : argumentsFromSchema(tool.inputSchema, seeded, known);
      if ('unbuildable' in first) {
        outcomes[tool.name] = `unbuildable ${first.unbuildable}`;
        continue;
      }
      // Read first: the record the write names (a read tool whose required inputs the write's arguments give,
      // keyed by an id), then the read tools its description names.
      const about = reads.filter((read) => {
        const properties = Object.keys((read.inputSchema['properties'] ?? {}) as object);
        const required = (read.inputSchema['required'] ?? []) as string[];
        return !creates && required.every((name) => name in first.args) && properties.some((name) => name in first.args && /_id$|^id$|^sku$/.test(name));
      });
      // The read needing the fewest inputs (the record itself: order_get, customer_get) last, so its fields win.
      about.sort((a, b) => ((b.inputSchema['required'] ?? []) as string[]).length - ((a.inputSchema['required'] ?? []) as string[]).length);
      const named = reads.filter((read) => !creates && !about.includes(read) && new RegExp(`\\b${read.name}\\b`).test(tool.description ?? ''));
      for (const read of [...about, ...named]) {
        const built = argumentsFromSchema(read.inputSchema, seeded, { ...known, ...first.args });
        if ('unbuildable' in built) continue;
        const result = await callTool(admin, read.name, built.args);
        if (result.isError !== true) remember(result);
      }
      let built = creates ? first : argumentsFromSchema(tool.inputSchema, seeded, known);
      if ('unbuildable' in built) {
        outcomes[tool.name] = `unbuildable ${built.unbuildable}`;
        continue;
      }
      const properties = (tool.inputSchema['properties'] ?? {}) as Record<string, unknown>;
      if ('dry_run' in properties) {
        // "Call with dry_run=true first": what the dry run reports (a version, an amount) feeds the real call.
        const dry = await callTool(admin, tool.name, { ...built.args, dry_run: true });
        if (dry.isError === true) {
          outcomes[tool.name] = `dry run ${outcome(dry)}`;
          continue;
        }
        remember(dry);
        built = argumentsFromSchema(tool.inputSchema, seeded, known) as { args: Record<string, unknown> };
        built.args['dry_run'] = false;
      }
      const result = (await admin.callTool({ name: tool.name, arguments: built.args }, undefined, { timeout: 40_000 })) as { isError?: boolean; structuredContent?: unknown };
      outcomes[tool.name] = outcome(result);
      log[tool.name] = built.args;
      if (result.isError !== true) remember(result);
    }
    // Left: each needs a record in a state an earlier write in this one pass has already moved on (see the file
    // comment); the codes are the documented answers for that state.
    const left = Object.fromEntries(Object.entries(outcomes).filter(([, o]) => o !== 'ok').map(([name, o]) => [name, o.split(':')[0]]));
    expect(left, JSON.stringify({ outcomes, arguments: log })).toEqual({
      order_workflow_retry: 'PRECONDITION_FAILED',
      product_set_price: 'PRECONDITION_FAILED',
      inventory_reserve: 'PRECONDITION_FAILED',
      inventory_release: 'PRECONDITION_FAILED',
      order_cancel: 'dry run PRECONDITION_FAILED',
      payment_void: 'PRECONDITION_FAILED',
    });
    expect(Object.values(outcomes).filter((o) => o === 'ok').length).toBe(21);
  }, 300_000);
});
