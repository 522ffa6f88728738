/**
 * product_import as an MCP Task (2025-11-25 task utility) through the SDK v1 Client: the task is the import row; a
 * cancel stops a queued import before it starts and a running one between batches (the batch being written rolls
 * back, the batches before it stay); only the principal that started the import sees its task.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, CreateTaskResultSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sql } from '@mcpfed/db';
import { idempotencyKey } from '@mcpfed/testing';
import { eventually, startProductTestServer } from './catalog-fixtures.ts';
import type { ProductTestServer } from './catalog-fixtures.ts';
import { goodImportLine } from './import-fixtures.ts';

let server: ProductTestServer;
let owner: Client;
let other: Client;
let files: http.Server;
let filesUrl: string;
/** Lets the stalled file's response go on: the rest of its lines, then its end. */
let releaseStalled: () => void = () => undefined;

async function importAsTask(source: Record<string, unknown>) {
  const created = await owner.request(
    { method: 'tools/call', params: { name: 'product_import', arguments: { source, format: 'jsonl', idempotency_key: idempotencyKey() } } },
    CreateTaskResultSchema,
    { task: {} },
  );
  return created.task;
}

async function importRow(id: string) {
  const { rows } = await sql<{ status: string; records_done: number; rows_ok: number; error: { details?: { reason?: string } } | null }>`
    SELECT status, records_done, rows_ok, error FROM product_imports WHERE id = ${id}`.execute(server.database.db);
  return rows[0];
}

async function productCount(prefix: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM products WHERE sku LIKE ${`${prefix}%`}`.execute(server.database.db);
  return Number(rows[0]?.n ?? 0);
}

beforeAll(async () => {
  server = await startProductTestServer();
  owner = await server.connect(['product:read', 'product:write'], 'importer');
  other = await server.connect(['product:read', 'product:write'], 'someone-else');
  files = http.createServer((request, response) => {
    if (request.url !== '/stalled.jsonl') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    // One batch (3 rows) at once; the next ones only once the test lets them go.
    response.write(`${[1, 2, 3].map((n) => goodImportLine(`STL-${n}`, 100 * n)).join('\n')}\n`);
    releaseStalled = () => response.end(`${[4, 5, 6, 7].map((n) => goodImportLine(`STL-${n}`, 100 * n)).join('\n')}\n`);
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  server.allowUrlHost(filesUrl);
});

afterAll(async () => {
  releaseStalled();
  files?.closeAllConnections();
  await new Promise<void>((resolve) => files?.close(() => resolve()));
  await server?.close();
});

describe('product_import as an MCP Task', () => {
  it('cancels a queued import before it starts; the worker then skips it and imports nothing', async () => {
    await writeFile(path.join(server.importDir, 'queued.jsonl'), `${goodImportLine('QUE-1', 100)}\n${goodImportLine('QUE-2', 200)}\n`);
    const task = await importAsTask({ path: 'queued.jsonl' });
    expect(task).toMatchObject({ status: 'working', statusMessage: 'Queued.', ttl: null, pollInterval: 2000 });
    expect(task.taskId).toMatch(/^product_import:imp_[0-9a-z]{26}$/);
    const id = task.taskId.slice('product_import:'.length);
    // Someone else cannot see or cancel it.
    for (const attempt of [() => other.experimental.tasks.getTask(task.taskId), () => other.experimental.tasks.cancelTask(task.taskId)]) {
      const error = await attempt().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(McpError);
      expect((error as McpError).code).toBe(-32602);
    }
    const cancelled = await owner.experimental.tasks.cancelTask(task.taskId);
    expect(cancelled).toMatchObject({ status: 'cancelled', statusMessage: 'Cancelled after 0 rows (0 imported); those stay.' });
    await server.startWorker({ batchSize: 3 });
    await eventually(async () => ((await (await server.queue.queue.getJob(id))?.getState()) === 'completed' ? true : undefined));
    expect(await importRow(id)).toMatchObject({ status: 'failed', records_done: 0, rows_ok: 0, error: { details: { reason: 'cancelled' } } });
    expect(await productCount('QUE-')).toBe(0);
    const result = await owner.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(result.structuredContent).toMatchObject({
      import: { id, status: 'failed', rows_read: 0, error: { code: 'PRECONDITION_FAILED', details: { reason: 'cancelled' } } },
    });
  });

  it('cancels a running import between batches: the batches written stay, the one after the cancel is not written', async () => {
    const task = await importAsTask({ url: `${filesUrl}/stalled.jsonl` });
    const id = task.taskId.slice('product_import:'.length);
    const running = await eventually(async () => {
      const state = await owner.experimental.tasks.getTask(task.taskId);
      return state.statusMessage?.startsWith('Read 3 rows') === true ? state : undefined;
    });
    expect(running.status).toBe('working');
    expect(await productCount('STL-')).toBe(3);
    const cancelled = await owner.experimental.tasks.cancelTask(task.taskId);
    expect(cancelled).toMatchObject({ status: 'cancelled', statusMessage: 'Cancelled after 3 rows (3 imported); those stay.' });
    releaseStalled();
    await eventually(async () => ((await (await server.queue.queue.getJob(id))?.getState()) === 'completed' ? true : undefined));
    expect(await importRow(id)).toMatchObject({ status: 'failed', records_done: 3, rows_ok: 3, error: { details: { reason: 'cancelled' } } });
    expect(await productCount('STL-')).toBe(3);
    const late = await owner.experimental.tasks.cancelTask(task.taskId).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect((late as McpError).code).toBe(-32602);
    expect((late as McpError).message).toContain("already in terminal status 'cancelled'");
  });

  it('completes an import as a task and tasks/result gives product_import’s answer', async () => {
    await writeFile(path.join(server.importDir, 'whole.jsonl'), `${[1, 2, 3, 4].map((n) => goodImportLine(`WHL-${n}`, n * 10)).join('\n')}\n{"sku": broken\n`);
    const task = await importAsTask({ path: 'whole.jsonl' });
    const done = await eventually(async () => {
      const state = await owner.experimental.tasks.getTask(task.taskId);
      return state.status === 'working' ? undefined : state;
    });
    expect(done).toMatchObject({ status: 'completed', statusMessage: 'Imported 4 of 5 rows; 1 rejected (product_import_status lists them).' });
    const result = await owner.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(result.structuredContent).toMatchObject({ import: { status: 'completed', rows_read: 5, rows_ok: 4, rows_failed: 1 }, replayed: false });
    expect(result._meta).toEqual({ 'io.modelcontextprotocol/related-task': { taskId: task.taskId } });
  });
});

describe('product_import as a 2026-07-28 Task (the io.modelcontextprotocol/tasks extension)', () => {
  // The request's own envelope says the revision and declares the extension (what a stateless server goes by).
  const envelope = (extensions: Record<string, unknown>) => ({
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities': { extensions },
  });
  const declared = envelope({ 'io.modelcontextprotocol/tasks': {} });
  const anything = z.looseObject({});

  it('hands a declaring client a flat CreateTaskResult, and tasks/get carries product_import’s answer once done', async () => {
    await writeFile(path.join(server.importDir, 'modern.jsonl'), `${[1, 2].map((n) => goodImportLine(`MOD-${n}`, n * 10)).join('\n')}\n`);
    const created = await owner.request(
      {
        method: 'tools/call',
        params: {
          name: 'product_import',
          arguments: { source: { path: 'modern.jsonl' }, format: 'jsonl', idempotency_key: idempotencyKey() },
          _meta: declared,
        },
      },
      anything,
    );
    expect(created).toMatchObject({
      resultType: 'task',
      status: 'working',
      ttlMs: null,
      pollIntervalMs: 2000,
      taskId: expect.stringMatching(/^product_import:imp_[0-9a-z]{26}$/),
    });
    expect(created).not.toHaveProperty('task');
    const taskId = created['taskId'] as string;
    const done = await eventually(async () => {
      const state = await owner.request({ method: 'tasks/get', params: { taskId, _meta: declared } }, anything);
      return state['status'] === 'working' ? undefined : state;
    });
    expect(done).toMatchObject({
      resultType: 'complete',
      taskId,
      status: 'completed',
      result: { structuredContent: { import: { status: 'completed', rows_read: 2, rows_ok: 2 } } },
    });
    // Without the extension declared: -32021; tasks/result is not part of this revision.
    const missing = await owner.request({ method: 'tasks/get', params: { taskId, _meta: envelope({}) } }, anything).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect((missing as McpError).code).toBe(-32021);
    const gone = await owner.request({ method: 'tasks/result', params: { taskId, _meta: declared } }, anything).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect((gone as McpError).code).toBe(-32601);
  });
});
