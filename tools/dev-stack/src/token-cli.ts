/**
 * `npm run token -- [--user support|shopper|analyst | --client router|order-server] [--resource router] [--scopes "…"]`:
 * gets one access token from the running dev provider of `npm start` through a real grant (a demo user logs in
 * with authorization code + PKCE, or a service uses client credentials) and prints it on stdout, nothing else.
 * Exit codes: 0 printed, 1 no token (provider not running, login or request refused), 2 bad arguments (or an
 * invalid MCPFED_PORT_BASE). MCPFED_PORT_BASE selects the stack, as for `npm start`.
 */
import { decodeJwt } from 'jose';
import { PORT_BASE_SETTING } from './services.ts';
import { StackError } from './stack-error.ts';
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
    const token = await requestStackToken(args.request, DEV_ISSUER_URL);
    const granted = new Set(
      String(decodeJwt(token)['scope'] ?? '')
        .split(' ')
        .filter(Boolean),
    );
    const refused = args.request.scopes.filter((scope) => !granted.has(scope));
    const who = args.request.grant.kind === 'user' ? args.request.grant.user : args.request.grant.client;
    if (granted.size === 0) throw new StackError(`${who} holds none of the scopes asked for (${refused.join(' ')})`);
    if (refused.length > 0) process.stderr.write(`token: not granted (${who} does not hold them): ${refused.join(' ')}\n`);
    process.stdout.write(`${token}\n`);
  } catch (error) {
    process.stderr.write(`token: no token: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
