/** The MCP clients `npm run client-config` writes for. */
export const CLIENT_KINDS = ['claude-desktop', 'claude-code', 'cursor', 'vscode'] as const;

/** One of {@link CLIENT_KINDS}. */
export type ClientKind = (typeof CLIENT_KINDS)[number];

/** `router`: one entry for the whole federation; `direct`: one entry per domain server. */
export type ConfigMode = 'router' | 'direct';

/** `http`: the client connects to a running server; `stdio`: the client launches a local process. */
export type ConfigTransport = 'http' | 'stdio';

/**
 * How an http entry authenticates. `oauth`: the entry holds the URL only; the client follows the server's 401 to
 * its authorization server and signs the person in (MCP authorization). `token`: the entry sends
 * `Authorization: Bearer <reference>`, where the reference names a secret the client resolves at run time
 * (an environment variable, or a prompted input kept in the client's secret storage) — never the token itself.
 */
export type ConfigAuth = 'oauth' | 'token';

/** The environment variable a `token` entry of Claude Code or Cursor reads the bearer token from. */
export const TOKEN_VARIABLE = 'MCPFED_TOKEN';

/** The id of the VS Code input (`password: true`) a `token` entry of VS Code reads the bearer token from. */
export const VSCODE_TOKEN_INPUT = 'mcpfed-token';

/** How a local process is launched (stdio). */
export interface StdioLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** One server a config can point at, both ways. */
export interface ConfigTarget {
  /** Entry name in the client's config, e.g. `mcpfed` or `customer`. */
  name: string;
  /** Its Streamable HTTP endpoint. */
  url: string;
  /** How to run it on stdio instead. */
  stdio: StdioLaunch;
}

/** What to write. */
export interface ClientConfigRequest {
  client: ClientKind;
  transport: ConfigTransport;
  /** The servers (one for router mode). */
  targets: readonly ConfigTarget[];
  /** How http entries authenticate; ignored for stdio. */
  auth: ConfigAuth;
}

/** A generated config: the file content and where that client keeps it. */
export interface ClientConfig {
  /** The JSON document, exactly as the client reads it. */
  document: Record<string, unknown>;
  /** Where the client reads it, in words (paths per platform, or the command that adds it). */
  location: string;
}

/** Where each client keeps its MCP configuration. */
export const CLIENT_LOCATIONS: Readonly<Record<ClientKind, string>> = Object.freeze({
  'claude-desktop':
    'claude_desktop_config.json: macOS ~/Library/Application Support/Claude/, Windows %APPDATA%\\Claude\\, Linux ~/.config/Claude/ (Settings > Developer > Edit Config); restart Claude Desktop after editing',
  'claude-code': ".mcp.json at the project root (project scope, shared with the repository), or add the entry with `claude mcp add-json <name> '<entry JSON>'`",
  cursor: '.cursor/mcp.json in the project, or ~/.cursor/mcp.json for every project',
  vscode: '.vscode/mcp.json in the workspace (or the user mcp.json: MCP: Open User Configuration)',
});

/**
 * The bearer reference of a `token` entry, in the syntax each client documents for it:
 * Claude Code expands `${VAR}` in `.mcp.json` (url, headers, command, args, env); Cursor expands `${env:VAR}` in
 * `mcp.json`; VS Code resolves `${input:id}` from an `inputs` entry, prompting once and keeping the value in its
 * secret storage when the input has `password: true`.
 */
export function tokenReference(client: Exclude<ClientKind, 'claude-desktop'>): string {
  if (client === 'claude-code') return `\${${TOKEN_VARIABLE}}`;
  if (client === 'cursor') return `\${env:${TOKEN_VARIABLE}}`;
  return `\${input:${VSCODE_TOKEN_INPUT}}`;
}

/**
 * The configuration `client` expects for `targets`. No entry ever holds a secret: files like `.mcp.json` and
 * `.vscode/mcp.json` are meant to be committed and shared.
 * - Claude Desktop: `{ "mcpServers": { name: { command, args, env } } }` — its config file takes local (stdio)
 *   servers only, and its Connectors are called from Anthropic's cloud (a localhost URL cannot work there), so
 *   `http` is refused with that advice.
 * - Claude Code (`.mcp.json`): `{ "mcpServers": { name: { type: "http", url[, headers] } | { type: "stdio", command, args, env } } }`.
 * - Cursor: `{ "mcpServers": { name: { url[, headers] } | { command, args, env } } }`.
 * - VS Code: `{ "servers": { name: { type: "http", url[, headers] } | { type: "stdio", command, args, env } }[, "inputs": [...]] }`.
 * @throws Error with a message for the user when the combination cannot be written.
 */
export function buildClientConfig(request: ClientConfigRequest): ClientConfig {
  const { client, transport } = request;
  if (client === 'claude-desktop' && transport === 'http') {
    throw new Error(
      "Claude Desktop's config file only launches local (stdio) servers: use --transport stdio. Its Connectors are called from Anthropic's cloud, not from your machine, so they need a publicly reachable HTTPS deployment of the router, never a localhost URL.",
    );
  }
  const withToken = transport === 'http' && request.auth === 'token' && client !== 'claude-desktop';
  const headers = withToken ? { headers: { Authorization: `Bearer ${tokenReference(client)}` } } : {};
  const entry = (target: ConfigTarget): Record<string, unknown> => {
    if (transport === 'stdio') {
      const launch = { command: target.stdio.command, args: [...target.stdio.args], env: { ...target.stdio.env } };
      return client === 'claude-code' || client === 'vscode' ? { type: 'stdio', ...launch } : launch;
    }
    return client === 'cursor' ? { url: target.url, ...headers } : { type: 'http', url: target.url, ...headers };
  };
  const entries = Object.fromEntries(request.targets.map((target) => [target.name, entry(target)]));
  if (client !== 'vscode') return { document: { mcpServers: entries }, location: CLIENT_LOCATIONS[client] };
  const inputs = withToken
    ? { inputs: [{ type: 'promptString', id: VSCODE_TOKEN_INPUT, description: 'mcpfed bearer token (npm run token)', password: true }] }
    : {};
  return { document: { ...inputs, servers: entries }, location: CLIENT_LOCATIONS[client] };
}
