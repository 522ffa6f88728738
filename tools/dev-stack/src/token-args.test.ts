import { describe, expect, it } from 'vitest';
import { DEMO_USERS } from './demo-users.ts';
import { DEV_SERVICE_CLIENTS } from './service-clients.ts';
import { DEFAULT_PORT_BASE, stackPorts } from './services.ts';
import { parseTokenArgs } from './token-args.ts';

const parse = (argv: readonly string[]) => parseTokenArgs(argv, stackPorts(DEFAULT_PORT_BASE));

describe('parseTokenArgs', () => {
  it("asks for the support user's token for the router, with every scope the user holds, by default", () => {
    expect(parse([])).toEqual({
      kind: 'request',
      request: { grant: { kind: 'user', user: 'support' }, resource: 'http://127.0.0.1:8080/mcp', scopes: DEMO_USERS.support.scopes },
    });
  });

  it('reads a user, a server by name and scopes separated by spaces or commas', () => {
    expect(parse(['--user', 'shopper', '--resource', 'order', '--scopes', 'order:read order:write,customer:read'])).toEqual({
      kind: 'request',
      request: { grant: { kind: 'user', user: 'shopper' }, resource: 'http://127.0.0.1:8082/mcp', scopes: ['order:read', 'order:write', 'customer:read'] },
    });
  });

  it('takes a service client and a resource URL, on the ports of the stack given', () => {
    expect(parseTokenArgs(['--client', 'order-server', '--resource=customer'], stackPorts(23000))).toEqual({
      kind: 'request',
      request: {
        grant: { kind: 'client', client: 'order-server' },
        resource: 'http://127.0.0.1:23001/mcp',
        scopes: DEV_SERVICE_CLIENTS['order-server'].scopes,
      },
    });
    expect(parse(['--client', 'router', '--resource', 'https://shop.example/mcp', '--scopes', 'admin'])).toMatchObject({
      request: { resource: 'https://shop.example/mcp', scopes: ['admin'] },
    });
  });

  it.each([
    [['--user', 'mallory'], '--user must be one of shopper, support, analyst, admin, got "mallory"'],
    [['--client', 'customer-server'], '--client must be one of order-server, router, got "customer-server"'],
    [['--user', 'shopper', '--client', 'router'], 'give --user or --client, not both'],
    [['--resource', 'warehouse'], '--resource must be router, customer, order, product, payment or a resource URL, got "warehouse"'],
    [['--scopes', 'customer:read customer:nope'], 'unknown scope: customer:nope'],
    [['--scopes', ' , '], '--scopes needs at least one scope'],
    [['--scopes', 'admin', '--subject', 'alice'], '--subject is gone: tokens come from the dev provider now; log in as a demo user with --user'],
    [['--customer=cus_1'], '--customer is gone: tokens come from the dev provider now; log in as the demo shopper (--user shopper)'],
    [['--audience', 'mcpfed'], '--audience is gone'],
  ])('refuses %j', (argv, message) => {
    const result = parse(argv);
    expect(result.kind).toBe('error');
    expect(result.kind === 'error' ? result.message : '').toContain(message);
  });

  it('refuses unknown options and positionals', () => {
    expect(parse(['--scopes', 'admin', '--scope', 'x']).kind).toBe('error');
    expect(parse(['admin']).kind).toBe('error');
  });

  it('recognises --help', () => {
    expect(parse(['--help'])).toEqual({ kind: 'help' });
  });
});
