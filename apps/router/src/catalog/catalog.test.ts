import { describe, expect, it } from 'vitest';
import type { UpstreamSnapshot } from '../upstream/discover-upstream.ts';
import type { Upstream } from '../upstream/upstream.ts';
import { Catalog } from './catalog.ts';

function upstream(name: string, snapshot: Partial<UpstreamSnapshot>, available = true): Upstream {
  const full: UpstreamSnapshot = { serverInfo: { name, version: '1' }, capabilities: { tools: {}, resources: {} }, tools: [], resources: [], resourceTemplates: [], prompts: [], ...snapshot };
  return { name, snapshot: full, available } as unknown as Upstream;
}

const tool = (name: string, scopes?: string[]) => ({ name, inputSchema: { type: 'object' }, ...(scopes ? { _meta: { 'io.mcpfed/scopes': scopes } } : {}) });

describe('Catalog', () => {
  const customer = upstream('customer', {
    tools: [tool('customer_get', ['customer:read']), tool('customer_create', ['customer:write']), tool('ping')],
    resources: [{ uri: 'schema://customer', name: 'schema' }],
    resourceTemplates: [{ uriTemplate: 'customer://{id}', name: 'customer' }],
    prompts: [{ name: 'brief' }],
  });
  const order = upstream('order', {
    tools: [tool('order_get', ['order:read']), tool('ping', ['order:read'])],
    resources: [{ uri: 'schema://order', name: 'schema' }, { uri: 'ledger://summary', name: 'ledger' }],
    resourceTemplates: [{ uriTemplate: 'order://{id}', name: 'order' }, { uriTemplate: 'customer://{id}', name: 'dup' }],
    prompts: [{ name: 'brief' }],
  }, false);
  const catalog = new Catalog([customer, order]);

  it('lets the first upstream keep a colliding name and reports every collision', () => {
    expect(catalog.tool('ping')?.upstream).toBe(customer);
    expect(catalog.prompt('brief')).toBe(customer);
    expect(catalog.collisions).toEqual([
      { kind: 'tool', name: 'ping', served_by: 'customer', hidden: ['order'] },
      { kind: 'prompt', name: 'brief', served_by: 'customer', hidden: ['order'] },
      { kind: 'resource_template', name: 'customer://{id}', served_by: 'customer', hidden: ['order'] },
    ]);
  });

  it('filters tools by scopes, shows tools without declared scopes to everyone, and marks unavailable upstreams', () => {
    expect(catalog.listTools(new Set(['customer:read'])).map((t) => t['name'])).toEqual(['customer_get', 'ping']);
    expect(catalog.listTools(new Set(['order:read'])).map((t) => [t['name'], t['_meta']])).toEqual([
      ['ping', { 'io.mcpfed/upstream': 'customer' }],
      ['order_get', { 'io.mcpfed/scopes': ['order:read'], 'io.mcpfed/upstream': 'order', 'io.mcpfed/available': false }],
    ]);
  });

  it('routes resources by exact URI, then template, then a scheme only one upstream uses', () => {
    expect(catalog.resource('schema://order')).toBe(order);
    expect(catalog.resource('customer://cus_1')).toBe(customer);
    expect(catalog.resource('order://ord_9')).toBe(order);
    expect(catalog.resource('ledger://other')).toBe(order);
    // schema:// is used by both: no guess.
    expect(catalog.resource('schema://payment')).toBeUndefined();
    expect(catalog.resource('gamma://1')).toBeUndefined();
  });

  it('changes a fingerprint only for the lists that changed', () => {
    const recovered = new Catalog([customer, upstream('order', { ...order.snapshot }, true)]);
    expect(recovered.fingerprints.tools).not.toBe(catalog.fingerprints.tools);
    expect(recovered.fingerprints.prompts).toBe(catalog.fingerprints.prompts);
    expect(recovered.fingerprints.resources).toBe(catalog.fingerprints.resources);
  });
});
