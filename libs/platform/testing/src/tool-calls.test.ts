import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, expectToolError, expectToolOk } from './tool-calls.ts';

const FAILURE = { code: 'INTERNAL', message: 'An internal error occurred.', retryable: false, request_id: 'req-7' };

let server: McpServer;
let client: Client;

beforeAll(async () => {
  server = new McpServer({ name: 'tool-calls-test', version: '0.0.0' });
  server.registerTool('echo', { inputSchema: { value: z.string() } }, ({ value }) => {
    const structuredContent = { value, length: value.length };
    return { structuredContent, content: [{ type: 'text', text: JSON.stringify(structuredContent) }] };
  });
  server.registerTool('refuse', {}, () => ({
    isError: true,
    structuredContent: { error: FAILURE },
    content: [{ type: 'text', text: JSON.stringify({ error: FAILURE }) }],
  }));
  server.registerTool('unmirrored', {}, () => ({ structuredContent: { a: 1 }, content: [{ type: 'text', text: 'a is one' }] }));
  server.registerTool('bare_failure', {}, () => ({ isError: true, content: [{ type: 'text', text: 'boom' }] }));
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  client = new Client({ name: 'tool-calls-test', version: '0.0.0' });
  await client.connect(clientTransport);
});

afterAll(async () => {
  await client.close();
  await server.close();
});

describe('callTool', () => {
  it('returns the raw result of a success and of a failure', async () => {
    expect(await callTool(client, 'echo', { value: 'hi' })).toEqual({
      structuredContent: { value: 'hi', length: 2 },
      content: [{ type: 'text', text: '{"value":"hi","length":2}' }],
    });
    const failed = await callTool(client, 'refuse', {});
    expect(failed.isError).toBe(true);
    expect(failed.structuredContent).toEqual({ error: FAILURE });
  });
});

describe('expectToolOk', () => {
  it('returns the structured content', async () => {
    const out = await expectToolOk<{ value: string; length: number }>(client, 'echo', { value: 'hello' });
    expect(out).toEqual({ value: 'hello', length: 5 });
  });

  it('rejects a failed call, showing its result', async () => {
    await expect(expectToolOk(client, 'refuse', {})).rejects.toThrow(`refuse failed: {"isError":true,"structuredContent":{"error":${JSON.stringify(FAILURE)}}`);
  });

  it('rejects a result whose text is not the JSON of its structured content', async () => {
    await expect(expectToolOk(client, 'unmirrored', {})).rejects.toThrow(
      'unmirrored: the first content block is not the JSON text of the structured content: {"structuredContent":{"a":1},"content":[{"type":"text","text":"a is one"}]}',
    );
  });
});

describe('expectToolError', () => {
  it('returns the structured error payload, request_id included', async () => {
    expect(await expectToolError(client, 'refuse', {})).toEqual(FAILURE);
  });

  it('rejects a successful call, showing its result', async () => {
    await expect(expectToolError(client, 'echo', { value: 'x' })).rejects.toThrow(
      'echo unexpectedly succeeded: {"structuredContent":{"value":"x","length":1},"content":[{"type":"text","text":"{\\"value\\":\\"x\\",\\"length\\":1}"}]}',
    );
  });

  it('rejects a failure without the error envelope, showing its result', async () => {
    await expect(expectToolError(client, 'bare_failure', {})).rejects.toThrow(
      'bare_failure failed without an error envelope: {"isError":true,"content":[{"type":"text","text":"boom"}]}',
    );
  });
});
