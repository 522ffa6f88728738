/**
 * The model-facing check: every read-only tool the router lists is called with arguments built only from its listed
 * input schema and descriptions (test/fixtures/arguments-from-schema.ts), with ids from a seeded federation, and
 * must succeed. The SDK client also checks each result against the listed (compacted) output schema. Write tools
 * are not covered here: with schema-only arguments 9 of 27 succeed, and the others need state a model reads first
 * (the current expected_version, which of two ids to give, an active product, a sandbox card token), which a
 * schema-driven generator does not script.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callTool, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { FEDERATION_SCOPES } from '../src/config.ts';
import { argumentsFromSchema } from './fixtures/arguments-from-schema.ts';
import { spawnFederation } from './fixtures/spawn-federation.ts';
import type { SpawnedFederation } from './fixtures/spawn-federation.ts';

let federation: SpawnedFederation;
let admin: Client;
const seeded: string[] = [];
let tools: Array<{ name: string; inputSchema: Record<string, unknown>; annotations?: { readOnlyHint?: boolean } }>;

beforeAll(async () => {
  const importDir = await mkdtemp(path.join(tmpdir(), 'model-check-import-'));
  await writeFile(path.join(importDir, 'one.jsonl'), `${JSON.stringify({ sku: 'MDL-IMPORTED', name: 'Imported lamp', category: 'test-goods', price_amount: 999, currency: 'EUR' })}\n`);
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
