import { describe, expect, it } from 'vitest';
import { renderBanner } from './banner.ts';
import { DEFAULT_PORT_BASE, defineServices, stackPorts } from './services.ts';

describe('renderBanner', () => {
  const text = renderBanner({
    services: defineServices(stackPorts(DEFAULT_PORT_BASE)),
    token: 'aaa.bbb.ccc',
    tokenHours: 12,
    audience: 'mcpfed',
    issuerUrl: 'http://127.0.0.1:8090',
    databases: ['customer: mcpfed_customer on the embedded PostgreSQL 127.0.0.1:54320'],
    redis: 'redis://127.0.0.1:6379 (already running)',
  });
  const lines = text.split('\n');

  it('lists the MCP and metrics URL of every service', () => {
    expect(lines).toContain('  customer  http://127.0.0.1:8081/mcp   metrics http://127.0.0.1:8081/metrics');
  });

  it('prints the token on a line of its own', () => {
    expect(lines).toContain('aaa.bbb.ccc');
  });

  it('prints the exact claude mcp add command', () => {
    expect(lines).toContain(
      '    claude mcp add --transport http customer http://127.0.0.1:8081/mcp --header "Authorization: Bearer aaa.bbb.ccc"',
    );
  });

  it('prints a url/headers JSON snippet that parses', () => {
    const start = lines.findIndex((line) => line === '    {');
    const end = lines.findIndex((line, index) => index > start && line === '    }');
    const snippet = JSON.parse(lines.slice(start, end + 1).join('\n')) as unknown;
    expect(snippet).toEqual({
      mcpServers: {
        customer: { url: 'http://127.0.0.1:8081/mcp', headers: { Authorization: 'Bearer aaa.bbb.ccc' } },
        payment: { url: 'http://127.0.0.1:8084/mcp', headers: { Authorization: 'Bearer aaa.bbb.ccc' } },
        product: { url: 'http://127.0.0.1:8083/mcp', headers: { Authorization: 'Bearer aaa.bbb.ccc' } },
      },
    });
  });

  it('points at npm run client-config for later', () => {
    expect(text).toContain('`npm run client-config` (one entry for the whole federation) arrives with the router.');
  });
});
