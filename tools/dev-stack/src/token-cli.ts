/**
 * `npm run token -- [--user support|shopper|analyst | --client router|order-server] [--resource router] [--scopes "…"]`:
 * gets one access token from the running dev provider of `npm start` through a real grant (a demo user logs in
 * with authorization code + PKCE, or a service uses client credentials) and prints it on stdout, nothing else.
 * Exit codes: 0 printed, 1 no token (provider not running, login or request refused), 2 bad arguments (or an
 * invalid MCPFED_PORT_BASE). MCPFED_PORT_BASE selects the stack, as for `npm start`.
 */
import { PORT_BASE_SETTING } from './services.ts';
import { requestStackToken } from './stack-token.ts';
import { TOKEN_USAGE, parseTokenArgs } from './token-args.ts';
import { DEV_ISSUER_URL } from './workspace.ts';

const args = parseTokenArgs(process.argv.slice(2));
if (args.kind === 'help') {
  process.stdout.write(`${TOKEN_USAGE}\n`);
} else if (!PORT_BASE_SETTING.ok) {
  process.stderr.write(`token: ${PORT_BASE_SETTING.message}\n`);
  process.exitCode = 2;
} else if (args.kind === 'error') {
  process.stderr.write(`token: ${args.message}\n\n${TOKEN_USAGE}\n`);
  process.exitCode = 2;
} else {
  try {
    process.stdout.write(`${await requestStackToken(args.request, DEV_ISSUER_URL)}\n`);
  } catch (error) {
    process.stderr.write(`token: no token: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
