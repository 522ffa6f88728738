import { parseArgs } from 'node:util';
import { CLIENT_KINDS } from './client-config.ts';
import type { ClientKind, ConfigAuth, ConfigMode, ConfigTransport } from './client-config.ts';
import { DEFAULT_ROLE, ROLES, ROLE_PRESETS } from './roles.ts';
import type { Role } from './roles.ts';

/** The command line of `npm run client-config`. */
export const CLIENT_CONFIG_USAGE = `usage: npm run client-config -- --client claude-desktop|claude-code|cursor|vscode [--mode router|direct] [--transport http|stdio] [--auth token|oauth] [--role ${ROLES.join('|')}] [--customer ID] [--scopes "a b"] [--url URL] [--out FILE]
  --client     the MCP client the config is for (required)
  --mode       router: one entry for the whole federation (default); direct: one entry per domain server
  --transport  http: connect to the running npm start (default); stdio: the client launches the process itself
  --auth       how http entries authenticate: token (default) sends the bearer token the client reads from
               MCPFED_TOKEN or, in VS Code, from a password input; oauth writes the URL only and the client
               signs you in at the router's authorization server (needs one with a login page)
  --role       scope and view preset (default ${DEFAULT_ROLE}): STDIO_SCOPES of stdio processes and the scopes of the token
               command shown for http; a router http entry connects to the role's view;
               ${ROLES.map((role) => `${role}: ${ROLE_PRESETS[role].scopes.join(' ')} at ${ROLE_PRESETS[role].view}`).join('; ')}
  --customer   bind to one customer (required by --role shopper): STDIO_CUSTOMER_ID of direct stdio servers, or
               --customer of the token command
  --scopes     explicit scopes instead of a role
  --url        the router's URL instead of npm start's (router mode, http), e.g. your HTTPS deployment
  --out        merge the entries into this file (other entries are kept); default: print the JSON on stdout
No secret is ever written: token entries name where the client finds the token, not the token.`;

/** Parsed arguments. */
export interface ClientConfigArgs {
  client: ClientKind;
  mode: ConfigMode;
  transport: ConfigTransport;
  auth: ConfigAuth;
  /** The role the scopes come from; undefined when --scopes named them. */
  role: Role | undefined;
  scopes: string[];
  customer?: string | undefined;
  url?: string | undefined;
  out?: string | undefined;
}

const CUSTOMER_ID = /^cus_[0-9a-z]{26}$/;

/** Parses the arguments, or returns the message of what is wrong (for the usage text). */
export function parseClientConfigArgs(argv: readonly string[]): ClientConfigArgs | { error: string } | { help: true } {
  if (argv.some((arg) => arg === '--token' || arg.startsWith('--token='))) {
    return { error: '--token is no longer accepted: a config file must not hold a token. Use --auth token (the client reads MCPFED_TOKEN) or --auth oauth' };
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        client: { type: 'string' },
        mode: { type: 'string', default: 'router' },
        transport: { type: 'string', default: 'http' },
        auth: { type: 'string', default: 'token' },
        role: { type: 'string' },
        customer: { type: 'string' },
        scopes: { type: 'string' },
        url: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (values.help === true) return { help: true };
  if (!CLIENT_KINDS.includes(values.client as ClientKind)) return { error: `--client must be one of ${CLIENT_KINDS.join(', ')}` };
  if (values.mode !== 'router' && values.mode !== 'direct') return { error: '--mode must be router or direct' };
  if (values.transport !== 'http' && values.transport !== 'stdio') return { error: '--transport must be http or stdio' };
  if (values.auth !== 'token' && values.auth !== 'oauth') return { error: '--auth must be token or oauth' };
  if (values.role !== undefined && values.scopes !== undefined) return { error: '--role and --scopes exclude each other' };
  if (values.role !== undefined && !ROLES.includes(values.role as Role)) return { error: `--role must be one of ${ROLES.join(', ')}` };
  if (values.customer !== undefined && !CUSTOMER_ID.test(values.customer)) return { error: '--customer must be a customer id (cus_ and 26 characters)' };
  const role = values.scopes === undefined ? ((values.role as Role | undefined) ?? DEFAULT_ROLE) : undefined;
  const scopes = role === undefined ? (values.scopes?.split(/[\s,]+/).filter(Boolean) ?? []) : [...ROLE_PRESETS[role].scopes];
  if (scopes.length === 0) return { error: '--scopes must name at least one scope' };
  if (role !== undefined && ROLE_PRESETS[role].customerBound && values.customer === undefined)
    return { error: `--role ${role} needs --customer <id>: it reaches one customer's data` };
  if (values.customer !== undefined && values.mode === 'router' && values.transport === 'stdio') {
    return {
      error: "--customer with the router on stdio: the router's stdio mode serves staff and refuses a customer binding; use --mode direct, or --transport http",
    };
  }
  if (values.url !== undefined) {
    let url: URL;
    try {
      url = new URL(values.url);
    } catch {
      return { error: '--url must be an absolute http(s) URL' };
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return { error: '--url must be an absolute http(s) URL' };
    if (values.mode !== 'router' || values.transport !== 'http') return { error: '--url is for router mode over http' };
  }
  return {
    client: values.client as ClientKind,
    mode: values.mode,
    transport: values.transport,
    auth: values.auth,
    role,
    scopes,
    customer: values.customer,
    url: values.url,
    out: values.out,
  };
}
