import { describe, expect, it } from 'vitest';
import { renderBanner } from './banner.ts';
import { DEMO_USERS } from './demo-users.ts';
import { DEFAULT_PORT_BASE, defineServices, stackPorts } from './services.ts';

const SERVICES = defineServices(stackPorts(DEFAULT_PORT_BASE));

function render(services = SERVICES): string[] {
  return renderBanner({
    services,
    token: 'aaa.bbb.ccc',
    tokenUser: 'support',
    tokenHours: 12,
    audience: 'http://127.0.0.1:8080/mcp',
    issuerUrl: 'http://127.0.0.1:8090',
    users: Object.values(DEMO_USERS),
    databases: ['customer: mcpfed_customer on the embedded PostgreSQL 127.0.0.1:54320'],
    redis: 'redis://127.0.0.1:6379 (already running)',
  }).split('\n');
}

/** The JSON block that starts after `heading`, indented by four spaces. */
function snippetAfter(lines: readonly string[], heading: string): unknown {
  const at = lines.indexOf(heading);
  const start = lines.findIndex((line, index) => index > at && line === '    {');
  const end = lines.findIndex((line, index) => index > start && line === '    }');
  return JSON.parse(lines.slice(start, end + 1).join('\n'));
}

describe('renderBanner', () => {
  const lines = render();

  it('leads with the router URL, before the servers', () => {
    expect(lines[3]).toBe('Router (one endpoint for every server: connect your client here)');
    expect(lines[4]).toBe('  http://127.0.0.1:8080/mcp   status http://127.0.0.1:8080/status   metrics http://127.0.0.1:8080/metrics');
    expect(lines.indexOf('Servers')).toBeGreaterThan(4);
  });

  it('lists the MCP and metrics URL of every server, not the router', () => {
    expect(lines).toContain('  customer  http://127.0.0.1:8081/mcp   metrics http://127.0.0.1:8081/metrics');
    expect(lines.filter((line) => line.startsWith('  router'))).toEqual([]);
  });

  it('prints the token on a line of its own, saying whose it is and where it works', () => {
    const at = lines.indexOf('aaa.bbb.ccc');
    expect(lines[at - 1]).toBe('Dev token (support, works at http://127.0.0.1:8080/mcp only, valid 12 h):');
  });

  it('says how to log in on the dev provider, with each demo user and development password', () => {
    const at = lines.findIndex((line) => line.startsWith('Log in (development passwords)'));
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 5)).toEqual([
      `  shopper  password shopper-dev  a customer (cus_01j9jx2rc3re7ejd42xbz421kr): reads and orders for himself only`,
      '  support  password support-dev  shop staff: any customer (customer:any), read, write and refund',
      '  analyst  password analyst-dev  reads any customer and the SQL query tools (sql:read); writes nothing',
      '  admin    password admin-dev    an operator: every scope, admin and sql:read included',
    ]);
    expect(lines).toContain('  dev provider  http://127.0.0.1:8090  (OpenID provider: http://127.0.0.1:8090/.well-known/openid-configuration)');
  });

  it('prints one claude mcp add command, for the router', () => {
    expect(lines.filter((line) => line.includes('claude mcp add'))).toEqual([
      '    claude mcp add --transport http mcpfed http://127.0.0.1:8080/mcp --header "Authorization: Bearer aaa.bbb.ccc"',
    ]);
  });

  it('prints one-entry url/headers and VS Code snippets that parse', () => {
    expect(snippetAfter(lines, '  Cursor (.cursor/mcp.json) and other clients that take { "url", "headers" }:')).toEqual({
      mcpServers: { mcpfed: { url: 'http://127.0.0.1:8080/mcp', headers: { Authorization: 'Bearer aaa.bbb.ccc' } } },
    });
    expect(snippetAfter(lines, '  VS Code (.vscode/mcp.json):')).toEqual({
      servers: { mcpfed: { type: 'http', url: 'http://127.0.0.1:8080/mcp', headers: { Authorization: 'Bearer aaa.bbb.ccc' } } },
    });
  });

  it('points at npm run client-config', () => {
    expect(lines).toContain('    npm run client-config -- --client claude-desktop --mode router --transport stdio');
  });

  it('falls back to one entry per server when the stack has no router', () => {
    const partial = render(SERVICES.filter((service) => service.name !== 'router'));
    expect(partial.filter((line) => line.includes('claude mcp add')).length).toBe(SERVICES.length - 1);
    expect(partial).not.toContain('Router (one endpoint for every server: connect your client here)');
  });
});
