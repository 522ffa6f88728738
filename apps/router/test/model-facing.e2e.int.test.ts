/**
 * The model-facing check: every tool the router lists is called with arguments built only from its listed input
 * schema and descriptions (test/fixtures/arguments-from-schema.ts), with ids from a seeded federation. The SDK
 * client also checks each result against the listed (compacted) output schema.
 *
 * Read-only tools (29) must all succeed, over one seeded world. Write tools (27) must all succeed too; each starts
 * from its own freshly seeded world (seedWorld: what a user hands the model as known ids: a customer, a product with
 * stock, an order placed, a payment authorized, a reservation held, an import), so no write finds a record another
 * write moved on. Every world also names one order whose checkout has not finished (placeUnfinished, paid with the
 * sandbox's late-answering pm_card_slow): placed once, as each keeps a checkout worker busy.
 *
 * Before each write, the model calls the read tools for the record the write names (a read whose required inputs
 * the write's arguments give, keyed by an id: order_get for order_id) and the read tools its description names, and
 * fills a field named X (or expected_X) from a field named X in what it read or wrote before; of several seeded ids
 * that fit, it takes the one whose record has a status the description's first sentence names ("Captures an
 * authorized payment", "Queues an unfinished checkout workflow (running or ..."); a write its description says to
 * make first ("order_fulfill first") is made first, the same way; a tool with dry_run is called with dry_run=true
 * first; each call gets a fresh idempotency key; a *_create tool makes up its fields. No argument is written per
 * tool.
 */
import { randomUUID } from 'node:crypto';
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

/** Every write tool the router lists, all scopes. */
const WRITE_TOOLS = [
  'customer_add_address',
  'customer_add_note',
  'customer_anonymize',
  'customer_create',
  'customer_remove_address',
  'customer_set_status',
  'customer_update',
  'inventory_adjust',
  'inventory_commit',
  'inventory_release',
  'inventory_reserve',
  'order_cancel',
  'order_fulfill',
  'order_mark_delivered',
  'order_place',
  'order_refund',
  'order_workflow_retry',
  'payment_authorize',
  'payment_capture',
  'payment_method_attach',
  'payment_refund',
  'payment_void',
  'product_archive',
  'product_create',
  'product_import',
  'product_set_price',
  'product_update',
];

let federation: SpawnedFederation;
let admin: Client;
let seeded: string[] = [];
let tools: Array<{
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean };
}>;

/**
 * A fresh world, as a user would hand it to the model as known ids: a customer with an address, a product with
 * stock, an order placed for it (checkout finished, payment captured), a payment authorized for it, a
 * reservation held, and a started import. Returns the ids, the order's first.
 */
async function seedWorld(): Promise<string[]> {
  const created = await expectToolOk<{ customer: { id: string; addresses: Array<{ id: string }> } }>(admin, 'customer_create', {
    email: `${idempotencyKey()}@example.com`,
    first_name: 'Model',
    last_name: 'Check',
    addresses: [{ kind: 'shipping', line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DE' }],
  });
  const sku = `MDL-${randomUUID().slice(0, 8).toUpperCase()}`;
  await expectToolOk(admin, 'product_create', { sku, name: 'Model check lamp', category: 'test-goods', price: { amount: 2599, currency: 'EUR' } });
  await expectToolOk(admin, 'inventory_adjust', { sku, location: 'BER-1', delta: 5, reason: 'received', idempotency_key: idempotencyKey() });
  const placed = (await admin.callTool(
    {
      name: 'order_place',
      arguments: {
        customer_id: created.customer.id,
        lines: [{ sku, quantity: 1 }],
        payment_method: 'pm_card_visa',
        idempotency_key: idempotencyKey(),
        wait_ms: 20_000,
      },
    },
    undefined,
    { timeout: 40_000 },
  )) as unknown as { structuredContent: { order: { id: string; status: string; payment: { payment_id: string | null }; reservation_id: string | null } } };
  const order = placed.structuredContent.order;
  expect(order.status).toBe('confirmed');
  const started = await expectToolOk<{ import: { id: string } }>(admin, 'product_import', {
    source: { path: 'one.jsonl' },
    format: 'jsonl',
    idempotency_key: idempotencyKey(),
  });
  const ids = [started.import.id, created.customer.id, ...created.customer.addresses.map((a) => a.id), sku, order.id];
  if (order.payment.payment_id) ids.push(order.payment.payment_id);
  // A reservation held for an order not placed yet (the order's own was committed at checkout).
  const held = await expectToolOk<{ reservation: { id: string } }>(admin, 'inventory_reserve', {
    order_reference: `mdl-${randomUUID()}`,
    lines: [{ sku, quantity: 1 }],
    idempotency_key: idempotencyKey(),
  });
  ids.push(held.reservation.id);
  // A payment authorized and not captured yet (the order's was captured at checkout).
  const authorized = await expectToolOk<{ payment: { id: string } }>(admin, 'payment_authorize', {
    order_ref: order.id,
    customer_id: created.customer.id,
    amount: 2599,
    currency: 'EUR',
    payment_method: 'pm_card_visa',
    idempotency_key: idempotencyKey(),
  });
  ids.push(authorized.payment.id);
  return ids;
}

/**
 * An order whose checkout has not finished: paid with the sandbox card that answers late (pm_card_slow, as
 * payment_method_attach describes it; here after two minutes), not waited for. One for the whole pass: each such
 * checkout keeps a checkout worker busy while it waits, and a few of them hold up every other checkout.
 */
async function placeUnfinished(customerId: string, sku: string): Promise<string> {
  const slow = await expectToolOk<{ order: { id: string; status: string } }>(admin, 'order_place', {
    customer_id: customerId,
    lines: [{ sku, quantity: 1 }],
    payment_method: 'pm_card_slow',
    idempotency_key: idempotencyKey(),
    wait_ms: 0,
  });
  expect(slow.order.status).toBe('pending');
  return slow.order.id;
}

beforeAll(async () => {
  const importDir = await mkdtemp(path.join(tmpdir(), 'model-check-import-'));
  await writeFile(
    path.join(importDir, 'one.jsonl'),
    `${JSON.stringify({ sku: 'MDL-IMPORTED', name: 'Imported lamp', category: 'test-goods', price_amount: 999, currency: 'EUR' })}\n`,
  );
  // The file product_import's description gives as its example, as a user would have put it there.
  await writeFile(
    path.join(importDir, 'catalog-2025-06.jsonl'),
    `${JSON.stringify({ sku: 'MDL-CATALOG', name: 'Catalog lamp', category: 'test-goods', price_amount: 1299, currency: 'EUR' })}\n`,
  );
  federation = await spawnFederation({ name: 'm', serverEnv: { product: { PRODUCT_IMPORT_DIR: importDir }, payment: { PAYMENT_SANDBOX_SLOW_MS: '120000' } } });
  admin = await federation.connect(FEDERATION_SCOPES, 'model-check');
  seeded = await seedWorld();
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
      outcomes[tool.name] =
        result.isError === true
          ? `${(result.structuredContent as { error: { code: string; message: string } }).error.code}: ${(result.structuredContent as { error: { message: string } }).error.message}`
          : 'ok';
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
    const writes = tools.filter((t) => t.annotations?.readOnlyHint !== true);
    let known: Record<string, unknown> = {};
    const remember = (result: { structuredContent?: unknown }): void => {
      known = { ...known, ...knownFromResult(result.structuredContent) };
    };
    const log: Record<string, unknown> = {};
    /** One write as a model makes it: read first, dry run first when offered, then the call. Its outcome. */
    const write = async (tool: (typeof tools)[number]): Promise<string> => {
      // A create names a new record: its fields are made up from the schema, not taken from records seen before.
      const creates = tool.name.endsWith('_create');
      let first = creates ? argumentsFromSchema(tool.inputSchema, []) : argumentsFromSchema(tool.inputSchema, seeded, known);
      if ('unbuildable' in first) return `unbuildable ${first.unbuildable}`;
      if (!creates) {
        // Of several seeded ids that fit, the one whose record is in the state the description's first sentence
        // names ("Captures an authorized payment"): read each with the read tool that takes just that id.
        const sentence = (tool.description ?? '').split(/[.:]/)[0] ?? '';
        const properties = (tool.inputSchema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
        for (const [name, value] of Object.entries(first.args)) {
          const candidates = seeded.filter(
            (id) =>
              typeof value === 'string' && typeof properties[name]?.['pattern'] === 'string' && new RegExp(String(properties[name]?.['pattern'])).test(id),
          );
          const gets = reads.filter((read) => JSON.stringify(read.inputSchema['required']) === JSON.stringify([name]));
          if (candidates.length < 2) continue;
          const fitting = async (candidate: string): Promise<boolean> => {
            for (const get of gets) {
              const read = await callTool(admin, get.name, { [name]: candidate });
              const status = read.isError === true ? undefined : knownFromResult(read.structuredContent)['status'];
              if (typeof status === 'string' && new RegExp(`\\b${status}\\b`).test(sentence)) return true;
            }
            return false;
          };
          for (const candidate of candidates) {
            if (!(await fitting(candidate))) continue;
            seeded = [candidate, ...seeded.filter((id) => id !== candidate)];
            break;
          }
        }
        first = argumentsFromSchema(tool.inputSchema, seeded, known);
        if ('unbuildable' in first) return `unbuildable ${first.unbuildable}`;
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
      if ('unbuildable' in built) return `unbuildable ${built.unbuildable}`;
      const properties = (tool.inputSchema['properties'] ?? {}) as Record<string, unknown>;
      if ('dry_run' in properties) {
        // "Call with dry_run=true first": what the dry run reports (a version, an amount) feeds the real call.
        const dry = await callTool(admin, tool.name, { ...built.args, dry_run: true });
        if (dry.isError === true) return `dry run ${outcome(dry)}`;
        remember(dry);
        built = argumentsFromSchema(tool.inputSchema, seeded, known) as { args: Record<string, unknown> };
        built.args['dry_run'] = false;
      }
      const result = (await admin.callTool({ name: tool.name, arguments: built.args }, undefined, { timeout: 40_000 })) as {
        isError?: boolean;
        structuredContent?: unknown;
      };
      log[tool.name] = built.args;
      if (result.isError !== true) remember(result);
      return outcome(result);
    };
    const outcomes: Record<string, string> = {};
    const world = await seedWorld();
    const unfinished = await placeUnfinished(world.find((id) => id.startsWith('cus_')) as string, world.find((id) => id.startsWith('MDL-')) as string);
    for (const tool of writes) {
      // Each write starts from its own freshly seeded world and knows only its ids: no write sees what another
      // moved on (an archived product, a shipped order, a captured authorization).
      seeded = [...(await seedWorld()), unfinished];
      known = {};
      // A write its description says to make first ("order_fulfill first"), made first, the same way.
      const before = writes.filter((other) => other !== tool && new RegExp(`\\b${other.name} first\\b`).test(tool.description ?? ''));
      const prepared = [];
      for (const other of before) prepared.push(`${other.name} ${await write(other)}`);
      const failed = prepared.filter((line) => !line.endsWith(' ok'));
      outcomes[tool.name] = failed.length > 0 ? `first ${failed.join(', ')}` : await write(tool);
    }
    const left = Object.fromEntries(
      Object.entries(outcomes)
        .filter(([, o]) => o !== 'ok')
        .map(([name, o]) => [name, o.split(':')[0]]),
    );
    expect(left, JSON.stringify({ outcomes, arguments: log })).toEqual({});
    expect(Object.keys(outcomes).sort()).toEqual(WRITE_TOOLS);
    expect(WRITE_TOOLS.filter((name) => outcomes[name] === 'ok')).toEqual(WRITE_TOOLS);
    // The retry named the unfinished checkout, not the finished one of its world.
    expect(log['order_workflow_retry']).toEqual({ order_id: unfinished });
  }, 600_000);
});
