import { describe, expect, it } from 'vitest';
import type { UpstreamSnapshot } from '../upstream/discover-upstream.ts';
import type { Upstream } from '../upstream/upstream.ts';
import { Catalog } from './catalog.ts';

function upstream(name: string, snapshot: Partial<UpstreamSnapshot>, available = true): Upstream {
  const full: UpstreamSnapshot = {
    serverInfo: { name, version: '1' },
    capabilities: { tools: {}, resources: {} },
    tools: [],
    resources: [],
    resourceTemplates: [],
    prompts: [],
    ...snapshot,
  };
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
  const order = upstream(
    'order',
    {
      tools: [tool('order_get', ['order:read']), tool('ping', ['order:read'])],
      resources: [
        { uri: 'schema://order', name: 'schema' },
        { uri: 'ledger://summary', name: 'ledger' },
      ],
      resourceTemplates: [
        { uriTemplate: 'order://{id}', name: 'order' },
        { uriTemplate: 'customer://{id}', name: 'dup' },
      ],
      prompts: [{ name: 'brief' }],
    },
    false,
  );
  const catalog = new Catalog([customer, order]);

  it('lets the first upstream keep a colliding name and reports every collision', () => {
    expect(catalog.tool('ping')?.upstream).toBe(customer);
    expect(catalog.prompt('brief')?.upstream).toBe(customer);
    expect(catalog.collisions).toEqual([
      { kind: 'tool', name: 'ping', served_by: 'customer', hidden: ['order'] },
      { kind: 'prompt', name: 'brief', served_by: 'customer', hidden: ['order'] },
      { kind: 'resource_template', name: 'customer://{id}', served_by: 'customer', hidden: ['order'] },
    ]);
  });

  it('finds a resource template by its exact text, the route completion/complete takes', () => {
    expect(catalog.template('order://{id}')?.upstream).toBe(order);
    expect(catalog.template('customer://{id}')?.upstream).toBe(customer);
    expect(catalog.template('order://{order_id}')).toBeUndefined();
    expect(catalog.template('order://ord_1')).toBeUndefined();
  });

  it('filters tools by scopes, shows tools without declared scopes to everyone, and marks unavailable upstreams', () => {
    expect(catalog.listTools(new Set(['customer:read'])).map((t) => t['name'])).toEqual(['customer_get', 'ping']);
    expect(catalog.listTools(new Set(['order:read'])).map((t) => [t['name'], t['_meta']])).toEqual([
      ['ping', { 'io.mcpfed/upstream': 'customer' }],
      ['order_get', { 'io.mcpfed/scopes': ['order:read'], 'io.mcpfed/upstream': 'order', 'io.mcpfed/available': false }],
    ]);
  });

  it('routes resources by exact URI, then template, then a scheme only one upstream uses', () => {
    expect(catalog.resource('schema://order')?.upstream).toBe(order);
    expect(catalog.resource('customer://cus_1')?.upstream).toBe(customer);
    expect(catalog.resource('order://ord_9')?.upstream).toBe(order);
    expect(catalog.resource('ledger://other')).toEqual({ upstream: order, scopes: [] });
    // schema:// is used by both: no guess.
    expect(catalog.resource('schema://payment')).toBeUndefined();
    expect(catalog.resource('gamma://1')).toBeUndefined();
  });

  it('takes scopes and deadlines from what each upstream published, and filters every list by the scopes', () => {
    const meta = (scopes: string[], deadline?: unknown) => ({
      _meta: { 'io.mcpfed/scopes': scopes, ...(deadline === undefined ? {} : { 'io.mcpfed/deadline_ms': deadline }) },
    });
    const published = new Catalog([
      upstream('shop', {
        tools: [
          { name: 'shop_get', ...meta(['shop:read'], 20_000) },
          { name: 'shop_odd', ...meta(['shop:read'], '9') },
          { name: 'shop_huge', ...meta([], 10_000_000) },
        ],
        resources: [{ uri: 'schema://shop', name: 'schema', ...meta(['sql:read'], 5000) }],
        resourceTemplates: [{ uriTemplate: 'shop://{id}', name: 'shop', ...meta(['shop:read', 'shop:pii']) }],
        prompts: [{ name: 'shop_brief', ...meta(['shop:read'], 5000) }, { name: 'shop_open' }],
      }),
    ]);
    expect(published.tool('shop_get')).toMatchObject({ scopes: ['shop:read'], deadlineMs: 20_000 });
    // Malformed or absurd deadlines are not taken: the upstream entry's timeout applies.
    expect(published.tool('shop_odd')?.deadlineMs).toBeUndefined();
    expect(published.tool('shop_huge')?.deadlineMs).toBeUndefined();
    expect(published.resource('schema://shop')).toMatchObject({ scopes: ['sql:read'], deadlineMs: 5000 });
    expect(published.resource('shop://7')).toMatchObject({ scopes: ['shop:read', 'shop:pii'] });
    const reader = new Set(['shop:read']);
    expect(published.listPrompts(reader).map((p) => p['name'])).toEqual(['shop_brief', 'shop_open']);
    expect(published.listPrompts(new Set()).map((p) => p['name'])).toEqual(['shop_open']);
    expect(published.listResourceTemplates(reader)).toEqual([]);
    expect(published.listResourceTemplates(new Set(['shop:read', 'shop:pii'])).map((t) => t['uriTemplate'])).toEqual(['shop://{id}']);
  });

  it('changes a fingerprint only for the lists that changed', () => {
    const recovered = new Catalog([customer, upstream('order', { ...order.snapshot }, true)]);
    expect(recovered.fingerprints.tools).not.toBe(catalog.fingerprints.tools);
    expect(recovered.fingerprints.prompts).toBe(catalog.fingerprints.prompts);
    expect(recovered.fingerprints.resources).toBe(catalog.fingerprints.resources);
  });

  it("routes a renamed tool's former name like the tool, never lists it, and lets a real tool of that name win", () => {
    const renamed = {
      ...tool('order_find', ['order:read']),
      _meta: { 'io.mcpfed/scopes': ['order:read'], 'io.mcpfed/aliases': ['order_lookup', 'customer_get'] },
    };
    const withAlias = new Catalog([customer, upstream('order', { tools: [renamed] })]);
    expect(withAlias.tool('order_lookup')?.upstream.name).toBe('order');
    expect(withAlias.tool('order_lookup')?.scopes).toEqual(['order:read']);
    expect(withAlias.toolDefinition('order_lookup')?.['name']).toBe('order_find');
    expect(withAlias.tool('customer_get')?.upstream).toBe(customer);
    expect(withAlias.listTools(new Set(['order:read', 'customer:read'])).map((t) => t['name'])).toEqual(['customer_get', 'ping', 'order_find']);
  });
});
