import { parseArgs } from 'node:util';
import { CLIENT_KINDS } from './client-config.ts';
import type { ClientKind, ConfigMode, ConfigTransport } from './client-config.ts';

/** The command line of `npm run client-config`. */
export const CLIENT_CONFIG_USAGE = `usage: npm run client-config -- --client claude-desktop|claude-code|cursor|vscode [--mode router|direct] [--transport http|stdio] [--token T] [--scopes "a b"] [--out FILE]
  --client     the MCP client the config is for (required)
  --mode       router: one entry for the whole federation (default); direct: one entry per domain server
  --transport  http: connect to the running npm start (default); stdio: the client launches the process itself
  --token      bearer token of http entries (default: a fresh dev token from the dev issuer, 12 h)
  --scopes     scopes of that dev token, or STDIO_SCOPES of stdio processes (default: every scope)
  --out        merge the entries into this file (other entries are kept); default: print the JSON on stdout`;

/** Parsed arguments. */
export interface ClientConfigArgs {
  client: ClientKind;
  mode: ConfigMode;
  transport: ConfigTransport;
  token?: string | undefined;
  scopes?: string[] | undefined;
  out?: string | undefined;
}

/** Parses the arguments, or returns the message of what is wrong (for the usage text). */
export function parseClientConfigArgs(argv: readonly string[]): ClientConfigArgs | { error: string } | { help: true } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        client: { type: 'string' },
        mode: { type: 'string', default: 'router' },
        transport: { type: 'string', default: 'http' },
        token: { type: 'string' },
        scopes: { type: 'string' },
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
  const scopes = values.scopes?.split(/\s+/).filter(Boolean);
  return { client: values.client as ClientKind, mode: values.mode, transport: values.transport, token: values.token, scopes, out: values.out };
}
