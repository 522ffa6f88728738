import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKey } from '@mcpfed/testing';
import { startProductTestServer } from './catalog-fixtures.ts';
import type { ProductTestServer } from './catalog-fixtures.ts';
import { goodImportLine } from './import-fixtures.ts';

let server: ProductTestServer;

beforeAll(async () => {
  server = await startProductTestServer();
  await writeFile(path.join(server.importDir, 'logged.jsonl'), `${goodImportLine('LOG-1', 100)}\n`);
});

afterAll(async () => {
  await server?.close();
});

async function importer(subject: string): Promise<{ client: Client; messages: Array<LoggingMessageNotification['params']> }> {
  const client = await server.connect(['product:read', 'product:write'], subject);
  const messages: Array<LoggingMessageNotification['params']> = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => void messages.push(notification.params));
  return { client, messages };
}

const start = (client: Client, key: string) =>
  client.callTool({ name: 'product_import', arguments: { source: { path: 'logged.jsonl' }, format: 'jsonl', idempotency_key: key } });

describe('product_import log messages', () => {
  it('tells a client at info that the import is queued, a replay at notice, and debug only to who asked for it', async () => {
    const { client, messages } = await importer('import-logger');
    await client.setLoggingLevel('info');
    const key = idempotencyKey();
    const first = (await start(client, key)).structuredContent as { import: { id: string } };
    await start(client, key);
    expect(messages.map((m) => [m.level, m.logger, (m.data as { message: string }).message, (m.data as { import_id: string }).import_id])).toEqual([
      ['info', 'product-server', 'Import queued; follow it with product_import_status', first.import.id],
      ['notice', 'product-server', 'Import already started with this key', first.import.id],
    ]);

    const debug = await importer('import-debugger');
    await debug.client.setLoggingLevel('debug');
    await start(debug.client, idempotencyKey());
    expect(debug.messages.map((m) => [m.level, (m.data as { message: string }).message])).toEqual([
      ['debug', 'Checking the import source'],
      ['info', 'Import queued; follow it with product_import_status'],
    ]);
    expect(debug.messages[0]?.data).toEqual({ message: 'Checking the import source', format: 'jsonl', kind: 'path' });
  });
});
