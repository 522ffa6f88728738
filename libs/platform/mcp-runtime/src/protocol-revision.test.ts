import { describe, expect, it } from 'vitest';
import { modernResponse } from './modern-response.ts';
import { SERVER_CACHE_HINTS, claimedRevision, innerRequest, modernRequestProblem, requestRevision } from './protocol-revision.ts';

const envelope = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
const call = (name: string) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {}, _meta: envelope } });
const headers = (name: string) => ({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': name });

describe('protocol revisions', () => {
  it('tells the revision by the _meta claim, never for initialize', () => {
    expect(claimedRevision(call('x'))).toBe('2026-07-28');
    expect(claimedRevision({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { _meta: envelope } })).toBeUndefined();
    expect(claimedRevision({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).toBeUndefined();
    expect(requestRevision(undefined, '2025-06-18')).toBe('2025-06-18');
    expect(requestRevision(undefined, undefined)).toBe('2025-11-25');
    expect(requestRevision(envelope, '2025-06-18')).toBe('2026-07-28');
  });

  it('checks Mcp-Name against the body, decoding the base64 sentinel and refusing a malformed one', () => {
    expect(modernRequestProblem(call('widget_get'), headers('widget_get'))).toBeUndefined();
    expect(modernRequestProblem(call('größe'), headers(`=?base64?${Buffer.from('größe').toString('base64')}?=`))).toBeUndefined();
    expect(modernRequestProblem(call('widget_get'), headers('=?base64?@@@?='))?.error.code).toBe(-32020);
    expect(modernRequestProblem(call('widget_get'), headers('widget_create'))?.error.code).toBe(-32020);
    expect(modernRequestProblem(call('widget_get'))).toBeUndefined();
  });

  it('refuses an Mcp-Method that is not the body method whatever the message: notification, initialize, older revision', () => {
    const { id: _id, ...notification } = call('widget_create');
    expect(modernRequestProblem({ ...notification, method: 'notifications/progress' }, headers('widget_get'))?.error.code).toBe(-32020);
    expect(modernRequestProblem({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }, headers('widget_get'))?.error.code).toBe(-32020);
    expect(modernRequestProblem({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-method': 'tools/call' })?.error.code).toBe(-32020);
    expect(modernRequestProblem({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-method': 'tools/list' })).toBeUndefined();
  });

  it('converts answers once: a second conversion changes nothing', () => {
    const once = modernResponse(
      'tools/list',
      { jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'a', execution: { taskSupport: 'optional' } }] } },
      SERVER_CACHE_HINTS,
      { name: 's', version: '1' },
    );
    expect(once).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {
        tools: [{ name: 'a' }],
        resultType: 'complete',
        ttlMs: 60_000,
        cacheScope: 'private',
        _meta: { 'io.modelcontextprotocol/serverInfo': { name: 's', version: '1' } },
      },
    });
    expect(modernResponse('tools/list', once, SERVER_CACHE_HINTS, { name: 'other', version: '2' })).toEqual(once);
    const notFound = modernResponse('resources/read', { jsonrpc: '2.0', id: 2, error: { code: -32002, message: 'no' } }, SERVER_CACHE_HINTS);
    expect(notFound).toEqual({ jsonrpc: '2.0', id: 2, error: { code: -32602, message: 'no' } });
    const pending = modernResponse('tools/call', { jsonrpc: '2.0', id: 3, result: { resultType: 'input_required', inputRequests: {} } }, SERVER_CACHE_HINTS);
    expect(pending['result']).toEqual({ resultType: 'input_required', inputRequests: {} });
  });

  it('hands server/discover to the SDK as initialize and builds the discover result from its answer', () => {
    expect(innerRequest({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: envelope } })).toMatchObject({
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {} },
    });
    const discovered = modernResponse(
      'server/discover',
      {
        jsonrpc: '2.0',
        id: 1,
        result: { protocolVersion: '2025-11-25', serverInfo: { name: 's', version: '1' }, capabilities: { tools: {}, tasks: {} }, instructions: 'hi' },
      },
      SERVER_CACHE_HINTS,
    );
    expect(discovered['result']).toEqual({
      supportedVersions: expect.arrayContaining(['2026-07-28', '2025-11-25']),
      capabilities: { tools: {}, extensions: { 'io.modelcontextprotocol/tasks': {} } },
      instructions: 'hi',
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 's', version: '1' } },
      resultType: 'complete',
      ttlMs: 60_000,
      cacheScope: 'public',
    });
  });

  it('refuses a malformed client identity or capabilities at the edge as -32602, before the SDK parses them', () => {
    const discover = (meta: Record<string, unknown>) => ({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: { ...envelope, ...meta } } });
    const noVersion = modernRequestProblem(discover({ 'io.modelcontextprotocol/clientInfo': { name: 'c' } }));
    expect(noVersion).toEqual({
      status: 400,
      error: { code: -32602, message: 'Invalid params: params._meta["io.modelcontextprotocol/clientInfo"] must be an object with a string name and version' },
    });
    // Every 2026-07-28 request, not only discover, names its client fully when it names it at all.
    expect(
      modernRequestProblem({ ...call('x'), params: { name: 'x', _meta: { ...envelope, 'io.modelcontextprotocol/clientInfo': { name: 'c', version: 1 } } } })
        ?.error.code,
    ).toBe(-32602);
    const badCaps = modernRequestProblem(discover({ 'io.modelcontextprotocol/clientCapabilities': { roots: 5 } }));
    expect(badCaps?.status).toBe(400);
    expect(badCaps?.error.code).toBe(-32602);
    expect(badCaps?.error.message).toMatch(/^Invalid params for server\/discover: params\._meta\["io\.modelcontextprotocol\/clientCapabilities"\]\.roots: /);
    expect(modernRequestProblem(discover({ 'io.modelcontextprotocol/clientInfo': { name: 'c', version: '1' } }))).toBeUndefined();
    expect(modernRequestProblem(discover({}))).toBeUndefined();
  });

  it('cuts the requested version it echoes in an unsupported-version error', () => {
    const long = `2099-${'x'.repeat(5000)}`;
    const problem = modernRequestProblem({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      params: { _meta: { ...envelope, 'io.modelcontextprotocol/protocolVersion': long } },
    });
    expect(problem?.error.code).toBe(-32022);
    expect((problem?.error.data as { requested: string }).requested).toBe(long.slice(0, 40));
  });
});
