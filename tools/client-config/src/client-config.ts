/** The MCP clients `npm run client-config` writes for. */
export const CLIENT_KINDS = ['claude-desktop', 'claude-code', 'cursor', 'vscode'] as const;

/** One of {@link CLIENT_KINDS}. */
export type ClientKind = (typeof CLIENT_KINDS)[number];

/** `router`: one entry for the whole federation; `direct`: one entry per domain server. */
export type ConfigMode = 'router' | 'direct';

/** `http`: the client connects to a running server; `stdio`: the client launches a local process. */
export type ConfigTransport = 'http' | 'stdio';

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
  /** Bearer token for http entries; required for `http`. */
  token?: string | undefined;
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
  'claude-code': '.mcp.json at the project root (project scope, shared with the repository), or add the entry with `claude mcp add-json <name> \'<entry JSON>\'`',
  cursor: '.cursor/mcp.json in the project, or ~/.cursor/mcp.json for every project',
  vscode: '.vscode/mcp.json in the workspace (or "mcp": { "servers": ... } in the user settings.json)',
});

/**
 * The configuration `client` expects for `targets`:
 * - Claude Desktop: `{ "mcpServers": { name: { command, args, env } } }` — its config file takes local (stdio)
 *   servers only; remote URLs are added in its Connectors settings, so `http` is refused with that advice.
 * - Claude Code (`.mcp.json`): `{ "mcpServers": { name: { type: "http", url, headers } | { type: "stdio", command, args, env } } }`.
 * - Cursor: `{ "mcpServers": { name: { url, headers } | { command, args, env } } }`.
 * - VS Code: `{ "servers": { name: { type: "http", url, headers } | { type: "stdio", command, args, env } } }`.
 * @throws Error with a message for the user when the combination cannot be written.
 */
export function buildClientConfig(request: ClientConfigRequest): ClientConfig {
  const { client, transport } = request;
  if (client === 'claude-desktop' && transport === 'http') {
    throw new Error(
      "Claude Desktop's config file only launches local (stdio) servers: use --transport stdio, or add the URL in Claude Desktop under Settings > Connectors.",
    );
  }
  if (transport === 'http' && (request.token === undefined || request.token === '')) throw new Error('an http config needs a bearer token (--token)');
  const headers = { Authorization: `Bearer ${request.token ?? ''}` };
  const entry = (target: ConfigTarget): Record<string, unknown> => {
    if (transport === 'stdio') {
      const launch = { command: target.stdio.command, args: [...target.stdio.args], env: { ...target.stdio.env } };
      return client === 'claude-code' || client === 'vscode' ? { type: 'stdio', ...launch } : launch;
    }
    return client === 'cursor' ? { url: target.url, headers } : { type: 'http', url: target.url, headers };
  };
  const entries = Object.fromEntries(request.targets.map((target) => [target.name, entry(target)]));
  return { document: client === 'vscode' ? { servers: entries } : { mcpServers: entries }, location: CLIENT_LOCATIONS[client] };
}
