import { describe, expect, it } from 'vitest';
import { SERVER_CACHE_HINTS, claimedRevision, innerRequest, modernRequestProblem, modernResponse, requestRevision } from './protocol-revision.ts';

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
    const once = modernResponse('tools/list', { jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'a', execution: { taskSupport: 'optional' } }] } }, SERVER_CACHE_HINTS, { name: 's', version: '1' });
    expect(once).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { tools: [{ name: 'a' }], resultType: 'complete', ttlMs: 60_000, cacheScope: 'private', _meta: { 'io.modelcontextprotocol/serverInfo': { name: 's', version: '1' } } },
    });
    expect(modernResponse('tools/list', once, SERVER_CACHE_HINTS, { name: 'other', version: '2' })).toEqual(once);
    const notFound = modernResponse('resources/read', { jsonrpc: '2.0', id: 2, error: { code: -32002, message: 'no' } }, SERVER_CACHE_HINTS);
    expect(notFound).toEqual({ jsonrpc: '2.0', id: 2, error: { code: -32602, message: 'no' } });
    const pending = modernResponse('tools/call', { jsonrpc: '2.0', id: 3, result: { resultType: 'input_required', inputRequests: {} } }, SERVER_CACHE_HINTS);
    expect(pending['result']).toEqual({ resultType: 'input_required', inputRequests: {} });
  });

  it('hands server/discover to the SDK as initialize and builds the discover result from its answer', () => {
    expect(innerRequest({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: envelope } })).toMatchObject({ method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {} } });
    const discovered = modernResponse(
      'server/discover',
      { jsonrpc: '2.0', id: 1, result: { protocolVersion: '2025-11-25', serverInfo: { name: 's', version: '1' }, capabilities: { tools: {}, tasks: {} }, instructions: 'hi' } },
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
});
