import { describe, expect, it } from 'vitest';
import { protectedResourceMetadata } from './protected-resource-metadata.ts';

describe('protectedResourceMetadata', () => {
  it('produces the RFC 9728 document with header-only bearer tokens', () => {
    const doc = protectedResourceMetadata({
      resource: 'http://127.0.0.1:8081',
      authorizationServers: ['http://127.0.0.1:8090'],
      scopesSupported: ['customer:read', 'customer:write', 'customer:pii'],
      resourceName: 'mcpfed customer server',
    });
    expect(doc).toEqual({
      resource: 'http://127.0.0.1:8081',
      authorization_servers: ['http://127.0.0.1:8090'],
      scopes_supported: ['customer:read', 'customer:write', 'customer:pii'],
      bearer_methods_supported: ['header'],
      resource_name: 'mcpfed customer server',
    });
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    expect(Object.isFrozen(doc)).toBe(true);
  });

  it('adds resource_documentation only when given', () => {
    const doc = protectedResourceMetadata({
      resource: 'https://mcp.example.com/customer',
      authorizationServers: ['https://id.example.com'],
      scopesSupported: [],
      resourceDocumentation: 'https://docs.example.com/customer',
    });
    expect(doc.resource_documentation).toBe('https://docs.example.com/customer');
    expect('resource_name' in doc).toBe(false);
  });

  it('refuses a document MCP clients could not use', () => {
    const ok = { resource: 'http://127.0.0.1:8081', authorizationServers: ['http://127.0.0.1:8090'], scopesSupported: [] };
    for (const bad of [
      { ...ok, authorizationServers: [] },
      { ...ok, resource: '127.0.0.1:8081' },
      { ...ok, resource: 'http://127.0.0.1:8081#x' },
      { ...ok, authorizationServers: ['ftp://id.example.com'] },
      { ...ok, scopesSupported: ['two words'] },
    ]) {
      expect(() => protectedResourceMetadata(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    }
  });
});
