import { styleText } from 'node:util';
import type { DemoUser } from './demo-users.ts';
import { mcpUrl, serviceUrl } from './services.ts';
import type { ServiceDefinition } from './services.ts';

/** What the start-up summary shows. */
export interface BannerContent {
  /** The services that are up, in start order. */
  readonly services: readonly ServiceDefinition[];
  /** A dev token from the provider, for {@link tokenUser}. */
  readonly token: string;
  /** The demo user it was issued to. */
  readonly tokenUser: string;
  /** Its lifetime in hours (for the text). */
  readonly tokenHours: number;
  /** Its audience: the resource it works at (the router's). */
  readonly audience: string;
  /** Issuer URL of the dev provider. */
  readonly issuerUrl: string;
  /** The people who can log in on the provider's login page. */
  readonly users: readonly DemoUser[];
  /** Where each domain's database is. */
  readonly databases: readonly string[];
  /** The Redis URL and where it comes from. */
  readonly redis: string;
  /** Whether to emit ANSI colours (default false). */
  readonly ansi?: boolean;
}

/** Name of the router's entry in client configs (one entry for the whole federation). */
const ROUTER_ENTRY = 'mcpfed';

/**
 * The summary printed once every service is ready. It leads with the router (the one URL a client needs) and its
 * one-entry client configs, then every server on its own, the infrastructure and a dev token; `npm run
 * client-config` writes the same configs for each client.
 */
export function renderBanner(content: BannerContent): string {
  const paint = (style: Parameters<typeof styleText>[0], text: string): string =>
    content.ansi === true ? styleText(style, text, { validateStream: false }) : text;
  const router = content.services.find((service) => service.name === 'router');
  const servers = content.services.filter((service) => service !== router);
  const width = Math.max(...servers.map((service) => service.name.length));
  const userWidth = Math.max(...content.users.map((user) => user.subject.length));
  const passwordWidth = Math.max(...content.users.map((user) => user.password.length));
  const bearer = `Bearer ${content.token}`;
  // Without a router (a partial stack), each server is its own entry.
  const entries: Array<[string, string]> = router === undefined ? servers.map((service) => [service.name, mcpUrl(service)]) : [[ROUTER_ENTRY, mcpUrl(router)]];
  const lines: string[] = [
    '',
    paint(['green', 'bold'], 'mcpfed dev stack is up'),
    '',
    ...(router === undefined
      ? []
      : [
          paint('bold', 'Router') + ' (one endpoint for every server: connect your client here)',
          `  ${paint('cyan', mcpUrl(router))}   status ${serviceUrl(router)}/status   metrics ${serviceUrl(router)}/metrics`,
          '',
        ]),
    paint('bold', 'Servers'),
    ...servers.map((service) => `  ${service.name.padEnd(width)}  ${paint('cyan', mcpUrl(service))}   metrics ${serviceUrl(service)}/metrics`),
    '',
    paint('bold', 'Infrastructure'),
    `  dev provider  ${content.issuerUrl}  (OpenID provider: ${content.issuerUrl}/.well-known/openid-configuration)`,
    ...content.databases.map((line) => `  postgres      ${line}`),
    `  redis         ${content.redis}`,
    '',
    paint('bold', 'Log in') + " (development passwords): when a client opens the dev provider's login page, sign in as",
    ...content.users.map((user) => `  ${user.subject.padEnd(userWidth)}  password ${paint('cyan', user.password.padEnd(passwordWidth))}  ${user.description}`),
    '',
    paint('bold', `Dev token`) + ` (${content.tokenUser}, works at ${content.audience} only, valid ${content.tokenHours} h):`,
    content.token,
    '',
    paint('bold', 'Connect a client') + (router === undefined ? '' : ' (one entry: the router)'),
    '  Claude Code:',
    ...entries.map(([name, url]) => `    claude mcp add --transport http ${name} ${url} --header "Authorization: ${bearer}"`),
    '  Cursor (.cursor/mcp.json) and other clients that take { "url", "headers" }:',
    ...indent(
      JSON.stringify({ mcpServers: Object.fromEntries(entries.map(([name, url]) => [name, { url, headers: { Authorization: bearer } }])) }, null, 2),
      '    ',
    ),
    '  VS Code (.vscode/mcp.json):',
    ...indent(
      JSON.stringify({ servers: Object.fromEntries(entries.map(([name, url]) => [name, { type: 'http', url, headers: { Authorization: bearer } }])) }, null, 2),
      '    ',
    ),
    '  Any client, written for you (Claude Desktop, Claude Code, Cursor, VS Code; router or each server; http or stdio):',
    '    npm run client-config -- --client claude-desktop --mode router --transport stdio',
    '    npm run client-config -- --client cursor --mode direct --transport http --out .cursor/mcp.json',
    '  Another user, server or scopes (a real login at the dev provider): npm run token -- --user shopper --resource router --scopes "customer:read order:read"',
    "  A service's own token (client credentials): npm run token -- --client router --resource customer",
    '',
    'Logs follow, prefixed with the service name. Press Ctrl-C to stop.',
    '',
  ];
  return lines.join('\n');
}

function indent(text: string, prefix: string): string[] {
  return text.split('\n').map((line) => prefix + line);
}
