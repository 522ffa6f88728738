/**
 * `npm run token -- --scopes "customer:read customer:write" [--subject alice] [--ttl 3600] [--audience mcpfed]`:
 * prints one dev access token on stdout and nothing else. Exit codes: 0 printed, 1 minting failed, 2 bad arguments
 * (or an invalid MCPFED_PORT_BASE). MCPFED_PORT_BASE and MCPFED_DATA_DIR select the stack, as for `npm start`.
 */
import { loadDevIssuer } from './dev-issuer.ts';
import { PORT_BASE_SETTING } from './services.ts';
import { TOKEN_USAGE, parseTokenArgs } from './token-args.ts';

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
    const issuer = await loadDevIssuer();
    const token = await issuer.mint({
      subject: args.request.subject,
      scopes: args.request.scopes,
      audience: args.request.audience,
      ttlSeconds: args.request.ttlSeconds,
      ...(args.request.customerId === undefined ? {} : { customerId: args.request.customerId }),
    });
    process.stdout.write(`${token}\n`);
  } catch (error) {
    process.stderr.write(`token: could not mint a token: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
