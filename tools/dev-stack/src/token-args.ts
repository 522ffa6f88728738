import { parseCommandArgs } from '@mcpfed/config';
import { SCOPES } from '@mcpfed/contract-common';
import { DEMO_USERS, isDemoUserName } from './demo-users.ts';
import type { DemoUserName } from './demo-users.ts';
import { DEV_SERVICE_CLIENTS } from './service-clients.ts';
import type { DevServiceClientId } from './service-clients.ts';
import { STACK_PORTS, resourceOf } from './services.ts';
import type { StackPorts } from './services.ts';

/** Who the token is for: a demo user logging in (authorization code + PKCE) or a service client (client credentials). */
export type TokenGrant = { readonly kind: 'user'; readonly user: DemoUserName } | { readonly kind: 'client'; readonly client: DevServiceClientId };

/** What `npm run token` asks the running dev provider for. */
export interface TokenRequest {
  readonly grant: TokenGrant;
  /** The resource indicator, the token's only audience: a server's `<PUBLIC_URL>/mcp` (default the router's). */
  readonly resource: string;
  /** Scopes asked for (default all the user or client may have); the token carries those granted. */
  readonly scopes: readonly string[];
}

/** The outcome of {@link parseTokenArgs}: a request, a help request, or a usage error. */
export type TokenArgs =
  { readonly kind: 'request'; readonly request: TokenRequest } | { readonly kind: 'help' } | { readonly kind: 'error'; readonly message: string };

/** The servers `--resource` takes by name. */
const SERVER_NAMES = ['router', 'customer', 'order', 'product', 'payment'] as const satisfies ReadonlyArray<keyof StackPorts>;

/** The default user: shop staff, who may call every tool but the SQL ones. */
export const DEFAULT_TOKEN_USER: DemoUserName = 'support';

/** Usage text of `npm run token`. */
export const TOKEN_USAGE = `usage: npm run token -- [--user ${Object.keys(DEMO_USERS).join('|')} | --client ${Object.keys(DEV_SERVICE_CLIENTS).join('|')}] [--resource router|customer|order|product|payment|<url>] [--scopes "…"]

Gets an access token from the running dev provider (\`npm start\`) and prints it on stdout.
  --user      log in as a demo user (authorization code + PKCE, as an MCP client does; default ${DEFAULT_TOKEN_USER}):
${Object.values(DEMO_USERS)
  .map((user) => `                ${user.subject.padEnd(8)} ${user.description}`)
  .join('\n')}
  --client    a service's own token instead (client credentials with its dev secret)
  --resource  the server the token is for, by name or resource URL (default router); it works there only
  --scopes    space- or comma-separated, from: ${SCOPES.join(' ')}
              (default all the user or client may have; others are not granted)

Environment: MCPFED_PORT_BASE, the port base of the \`npm start\` to ask (default 8080; its provider is on base + 10).`;

const KNOWN_SCOPES: ReadonlySet<string> = new Set(SCOPES);

/** Options of the hand-minting `npm run token` of old, and what replaces each. */
const REMOVED_OPTIONS: Readonly<Record<string, string>> = {
  subject: 'log in as a demo user with --user',
  customer: `log in as the demo shopper (--user shopper), whose token is bound to ${DEMO_USERS.shopper.claims?.['customer_id'] ?? 'a customer'}`,
  audience: 'name the server with --resource',
  ttl: 'tokens live as long as the provider says',
};

/** Parses the arguments of `npm run token` for the stack on `ports`; never throws. */
export function parseTokenArgs(argv: readonly string[], ports: StackPorts = STACK_PORTS): TokenArgs {
  const removed = argv.map((arg) => /^--([a-z]+)/.exec(arg)?.[1]).find((name) => name !== undefined && Object.hasOwn(REMOVED_OPTIONS, name));
  if (removed !== undefined) return { kind: 'error', message: `--${removed} is gone: tokens come from the dev provider now; ${REMOVED_OPTIONS[removed]}` };
  const parsed = parseCommandArgs(argv, {
    user: { type: 'string' },
    client: { type: 'string' },
    resource: { type: 'string' },
    scopes: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if ('error' in parsed) return { kind: 'error', message: parsed.error };
  const { values } = parsed;
  if (values.help === true) return { kind: 'help' };
  if (values.user !== undefined && values.client !== undefined) return { kind: 'error', message: 'give --user or --client, not both' };

  let grant: TokenGrant;
  if (values.client !== undefined) {
    if (!Object.hasOwn(DEV_SERVICE_CLIENTS, values.client)) {
      return { kind: 'error', message: `--client must be one of ${Object.keys(DEV_SERVICE_CLIENTS).join(', ')}, got "${values.client}"` };
    }
    grant = { kind: 'client', client: values.client as DevServiceClientId };
  } else {
    const user = values.user ?? DEFAULT_TOKEN_USER;
    if (!isDemoUserName(user)) return { kind: 'error', message: `--user must be one of ${Object.keys(DEMO_USERS).join(', ')}, got "${user}"` };
    grant = { kind: 'user', user };
  }

  const resourceArg = values.resource ?? 'router';
  let resource: string;
  if ((SERVER_NAMES as readonly string[]).includes(resourceArg)) {
    resource = resourceOf({ port: ports[resourceArg as (typeof SERVER_NAMES)[number]] });
  } else if (/^https?:\/\/\S+$/.test(resourceArg)) {
    resource = resourceArg;
  } else {
    return { kind: 'error', message: `--resource must be ${SERVER_NAMES.join(', ')} or a resource URL, got "${resourceArg}"` };
  }

  const allowed = grant.kind === 'user' ? DEMO_USERS[grant.user].scopes : DEV_SERVICE_CLIENTS[grant.client].scopes;
  let scopes: string[];
  if (values.scopes === undefined) {
    scopes = [...allowed];
  } else {
    scopes = [...new Set(values.scopes.split(/[\s,]+/).filter((scope) => scope !== ''))];
    if (scopes.length === 0) return { kind: 'error', message: '--scopes needs at least one scope' };
    const unknown = scopes.filter((scope) => !KNOWN_SCOPES.has(scope));
    if (unknown.length > 0) {
      return { kind: 'error', message: `unknown scope${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (known: ${SCOPES.join(' ')})` };
    }
  }
  return { kind: 'request', request: { grant, resource, scopes } };
}
