import { styleText } from 'node:util';
import { mcpUrl, serviceUrl } from './services.ts';
import type { ServiceDefinition } from './services.ts';

/** What the start-up summary shows. */
export interface BannerContent {
  /** The services that are up, in start order. */
  readonly services: readonly ServiceDefinition[];
  /** A dev token with every scope. */
  readonly token: string;
  /** Its lifetime in hours (for the text). */
  readonly tokenHours: number;
  /** Its audience. */
  readonly audience: string;
  /** Dev issuer URL. */
  readonly issuerUrl: string;
  /** Where each domain's database is. */
  readonly databases: readonly string[];
  /** The Redis URL and where it comes from. */
  readonly redis: string;
  /** Whether to emit ANSI colours (default false). */
  readonly ansi?: boolean;
}

/** The summary printed once every service is ready: URLs, a dev token and how to connect a client. */
export function renderBanner(content: BannerContent): string {
  const paint = (style: Parameters<typeof styleText>[0], text: string): string =>
    content.ansi === true ? styleText(style, text, { validateStream: false }) : text;
  const width = Math.max(...content.services.map((service) => service.name.length));
  const bearer = `Bearer ${content.token}`;
  const lines: string[] = [
    '',
    paint(['green', 'bold'], 'mcpfed dev stack is up'),
    '',
    paint('bold', 'Servers'),
    ...content.services.map(
      (service) =>
        `  ${service.name.padEnd(width)}  ${paint('cyan', mcpUrl(service))}   metrics ${serviceUrl(service)}/metrics`,
    ),
    '',
    paint('bold', 'Infrastructure'),
    `  dev issuer  ${content.issuerUrl}  (JWKS ${content.issuerUrl}/.well-known/jwks.json)`,
    ...content.databases.map((line) => `  postgres    ${line}`),
    `  redis       ${content.redis}`,
    '',
    paint('bold', `Dev token`) + ` (every scope, audience ${content.audience}, valid ${content.tokenHours} h):`,
    content.token,
    '',
    paint('bold', 'Connect a client'),
    '  Claude Code:',
    ...content.services.map(
      (service) => `    claude mcp add --transport http ${service.name} ${mcpUrl(service)} --header "Authorization: ${bearer}"`,
    ),
    '  Clients that take { "url", "headers" } (Cursor .cursor/mcp.json; VS Code .vscode/mcp.json uses "servers" and "type": "http"):',
    ...indent(
      JSON.stringify(
        {
          mcpServers: Object.fromEntries(
            content.services.map((service) => [service.name, { url: mcpUrl(service), headers: { Authorization: bearer } }]),
          ),
        },
        null,
        2,
      ),
      '    ',
    ),
    '  Other scopes or subjects: npm run token -- --scopes "customer:read" --subject alice',
    '  `npm run client-config` (one entry for the whole federation) arrives with the router.',
    '',
    'Logs follow, prefixed with the service name. Press Ctrl-C to stop.',
    '',
  ];
  return lines.join('\n');
}

function indent(text: string, prefix: string): string[] {
  return text.split('\n').map((line) => prefix + line);
}
