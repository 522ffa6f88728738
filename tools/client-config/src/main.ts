/**
 * `npm run client-config -- --client claude-desktop|claude-code|cursor|vscode --mode router|direct --transport
 * http|stdio [--auth token|oauth] [--role R] [--customer ID] [--scopes S] [--url URL] [--out FILE]`: writes the MCP
 * configuration the chosen client expects for the dev stack on this machine (`MCPFED_PORT_BASE` moves its ports),
 * and says where that client keeps it and how it gets its token. It never writes a token: such files are shared.
 * Exit codes: 0 written, 1 failed, 2 bad arguments.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TOKEN_VARIABLE, buildClientConfig } from './client-config.ts';
import type { ClientKind } from './client-config.ts';
import { CLIENT_CONFIG_USAGE, parseClientConfigArgs } from './client-config-args.ts';
import type { ClientConfigArgs } from './client-config-args.ts';
import { ROLE_PRESETS } from './roles.ts';
import { stackTargets } from './stack-targets.ts';

/**
 * Adds the generated entries to an existing config file's, keeping the other entries; VS Code's `inputs` (an array)
 * keeps the existing inputs of other ids.
 */
async function merge(file: string, document: Record<string, unknown>): Promise<Record<string, unknown>> {
  let existing: Record<string, unknown>;
  try {
    existing = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return document;
    throw new Error(`${file} exists but is not JSON; fix or move it first`, { cause: error });
  }
  const merged: Record<string, unknown> = { ...existing };
  for (const [key, value] of Object.entries(document)) {
    if (Array.isArray(value)) {
      const ids = new Set(value.map((item) => (item as { id?: unknown }).id));
      const kept = Array.isArray(existing[key]) ? (existing[key] as unknown[]).filter((item) => !ids.has((item as { id?: unknown }).id)) : [];
      merged[key] = [...kept, ...value];
    } else merged[key] = { ...((existing[key] as Record<string, unknown> | undefined) ?? {}), ...(value as Record<string, unknown>) };
  }
  return merged;
}

/** What the person does next for the entries to authenticate (stderr: stdout is the JSON alone). */
function nextSteps(args: ClientConfigArgs): string {
  const scopes = `the ${args.role === undefined ? 'given' : `${args.role} role's`} scopes`;
  if (args.transport === 'stdio') return `the process runs locally with ${scopes} (STDIO_SCOPES); it needs no token`;
  if (args.auth === 'oauth') {
    return "the client signs you in at the router's authorization server the first time it connects; the scopes are what your account there holds";
  }
  // npm start's demo users: the token command logs in as the one whose job matches the role (the shopper's token is
  // bound to his own customer, whatever --customer says; another provider's login binds to the person's own).
  const user = args.role === 'shopper' || args.role === 'support' || args.role === 'analyst' ? args.role : 'admin';
  const command = `npm run -s token -- --user ${user} --scopes "${args.scopes.join(' ')}"`;
  const perClient: Record<Exclude<ClientKind, 'claude-desktop'>, string> = {
    'claude-code': `start Claude Code where ${TOKEN_VARIABLE} is set: export ${TOKEN_VARIABLE}="$(${command})"`,
    cursor: `start Cursor where ${TOKEN_VARIABLE} is set: export ${TOKEN_VARIABLE}="$(${command})"`,
    vscode: `VS Code asks for the token the first time it starts the server and keeps it in its secret storage; get one with ${command}`,
  };
  return perClient[args.client as Exclude<ClientKind, 'claude-desktop'>];
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseClientConfigArgs(argv);
  if ('help' in args) {
    process.stdout.write(`${CLIENT_CONFIG_USAGE}\n`);
    return 0;
  }
  if ('error' in args) {
    process.stderr.write(`client-config: ${args.error}\n${CLIENT_CONFIG_USAGE}\n`);
    return 2;
  }
  const targets = stackTargets({ mode: args.mode, scopes: args.scopes, customerId: args.mode === 'direct' ? args.customer : undefined, env: process.env });
  // A role's router entry addresses its view, so its model is listed the tools of its job only (the router still
  // holds the token to its scopes). Stdio and direct entries serve every tool the scopes allow.
  if (args.role !== undefined && args.mode === 'router' && args.transport === 'http') {
    for (const target of targets) target.url = target.url.replace(/\/mcp$/, ROLE_PRESETS[args.role].view);
  }
  if (args.url !== undefined) for (const target of targets) target.url = args.url;
  const config = buildClientConfig({ client: args.client, transport: args.transport, targets, auth: args.auth });
  const text = `${JSON.stringify(args.out === undefined ? config.document : await merge(args.out, config.document), null, 2)}\n`;
  if (args.out === undefined) {
    process.stdout.write(text);
    process.stderr.write(`${args.client} reads this from ${config.location}\n`);
  } else {
    await mkdir(path.dirname(path.resolve(args.out)), { recursive: true });
    await writeFile(args.out, text);
    process.stderr.write(`wrote ${args.out}; ${args.client} reads it from ${config.location}\n`);
  }
  process.stderr.write(`${nextSteps(args)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`client-config: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
