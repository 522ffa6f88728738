/**
 * `npm run client-config -- --client claude-desktop|claude-code|cursor|vscode --mode router|direct --transport
 * http|stdio [--token T] [--scopes S] [--out FILE]`: writes the MCP configuration the chosen client expects for the
 * dev stack on this machine (`MCPFED_PORT_BASE` moves its ports), and says where that client keeps it.
 * Exit codes: 0 written, 1 failed, 2 bad arguments.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SCOPES } from '@mcpfed/contract-common';
import { FEDERATION_AUDIENCE, loadDevIssuer } from '@mcpfed/dev-stack';
import { buildClientConfig } from './client-config.ts';
import { CLIENT_CONFIG_USAGE, parseClientConfigArgs } from './client-config-args.ts';
import { stackTargets } from './stack-targets.ts';

const TOKEN_HOURS = 12;

/** Adds the generated entries to an existing config file's, keeping the other entries. */
async function merge(file: string, document: Record<string, unknown>): Promise<Record<string, unknown>> {
  let existing: Record<string, unknown>;
  try {
    existing = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return document;
    throw new Error(`${file} exists but is not JSON; fix or move it first`, { cause: error });
  }
  const merged: Record<string, unknown> = { ...existing };
  for (const [key, entries] of Object.entries(document)) merged[key] = { ...((existing[key] as Record<string, unknown> | undefined) ?? {}), ...(entries as Record<string, unknown>) };
  return merged;
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
  const targets = stackTargets({ mode: args.mode, scopes: args.scopes, env: process.env });
  let token = args.token;
  if (args.transport === 'http' && token === undefined) {
    const issuer = await loadDevIssuer();
    token = await issuer.mint({ subject: 'dev-user', scopes: args.scopes ?? SCOPES, audience: FEDERATION_AUDIENCE, ttlSeconds: TOKEN_HOURS * 3600 });
  }
  const config = buildClientConfig({ client: args.client, transport: args.transport, targets, token });
  const text = `${JSON.stringify(args.out === undefined ? config.document : await merge(args.out, config.document), null, 2)}\n`;
  if (args.out === undefined) {
    process.stdout.write(text);
    process.stderr.write(`${args.client} reads this from ${config.location}\n`);
  } else {
    await mkdir(path.dirname(path.resolve(args.out)), { recursive: true });
    await writeFile(args.out, text, { mode: 0o600 });
    process.stderr.write(`wrote ${args.out}; ${args.client} reads it from ${config.location}\n`);
  }
  if (args.transport === 'http' && args.token === undefined) process.stderr.write(`the entries carry a dev token valid ${TOKEN_HOURS} h; run this again for a new one\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`client-config: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
