import { parseArgs } from 'node:util';
import { isCustomerId } from '@mcpfed/auth';
import { SCOPES } from '@mcpfed/contract-common';
import { FEDERATION_AUDIENCE } from './workspace.ts';

/** What `npm run token` mints. */
export interface TokenRequest {
  /** Granted scopes (each one of SCOPES). */
  readonly scopes: readonly string[];
  /** The `sub` claim (default `dev-user`). */
  readonly subject: string;
  /** Lifetime in seconds (default 3600). */
  readonly ttlSeconds: number;
  /** The `aud` claim (default `mcpfed`). */
  readonly audience: string;
  /** The customer the token is bound to (`customer_id` claim): it then reaches only that customer. Default: unbound. */
  readonly customerId?: string;
}

/** The outcome of {@link parseTokenArgs}: a request, a help request, or a usage error. */
export type TokenArgs =
  | { readonly kind: 'request'; readonly request: TokenRequest }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

/** Usage text of `npm run token`. */
export const TOKEN_USAGE = `usage: npm run token -- --scopes "customer:read customer:write" [--subject alice] [--customer cus_…] [--ttl 3600] [--audience ${FEDERATION_AUDIENCE}]

Prints a dev access token (a JWT signed by the dev issuer under .data/dev-issuer) on stdout.
  --scopes    space- or comma-separated, from: ${SCOPES.join(' ')}
  --subject   the principal the servers will see (default dev-user)
  --customer  bind the token to this customer id (customer_id claim): it reaches only that customer's data.
              Unbound tokens reach customer data only with customer:any (staff, services)
  --ttl       lifetime in seconds (default 3600)
  --audience  the aud claim (default ${FEDERATION_AUDIENCE})

Environment: give it the same values as the \`npm start\` the token is for.
  MCPFED_PORT_BASE  port base of that stack (default 8080); the token's issuer is http://127.0.0.1:<base + 10>
  MCPFED_DATA_DIR   where the dev issuer key lives (default <repo>/.data)`;

/** The default principal of dev tokens. */
export const DEV_SUBJECT = 'dev-user';

const KNOWN_SCOPES: ReadonlySet<string> = new Set(SCOPES);

/** Parses the arguments of `npm run token`; never throws. */
export function parseTokenArgs(argv: readonly string[]): TokenArgs {
  let values: { scopes?: string; subject?: string; customer?: string; ttl?: string; audience?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        scopes: { type: 'string' },
        subject: { type: 'string' },
        customer: { type: 'string' },
        ttl: { type: 'string' },
        audience: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  if (values.help === true) return { kind: 'help' };
  if (values.scopes === undefined) return { kind: 'error', message: '--scopes is required' };
  const scopes = [...new Set(values.scopes.split(/[\s,]+/).filter((scope) => scope !== ''))];
  if (scopes.length === 0) return { kind: 'error', message: '--scopes needs at least one scope' };
  const unknown = scopes.filter((scope) => !KNOWN_SCOPES.has(scope));
  if (unknown.length > 0) {
    return { kind: 'error', message: `unknown scope${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (known: ${SCOPES.join(' ')})` };
  }
  const subject = values.subject ?? DEV_SUBJECT;
  if (subject.trim() === '') return { kind: 'error', message: '--subject must not be empty' };
  const ttl = values.ttl ?? '3600';
  if (!/^[1-9]\d*$/.test(ttl) || !Number.isSafeInteger(Number(ttl))) {
    return { kind: 'error', message: `--ttl must be a positive whole number of seconds, got "${ttl}"` };
  }
  const audience = values.audience ?? FEDERATION_AUDIENCE;
  if (audience.trim() === '') return { kind: 'error', message: '--audience must not be empty' };
  const customerId = values.customer?.trim();
  if (customerId !== undefined && !isCustomerId(customerId)) {
    return { kind: 'error', message: `--customer must be a customer id (printable characters, no spaces), got "${values.customer}"` };
  }
  return { kind: 'request', request: { scopes, subject, ttlSeconds: Number(ttl), audience, ...(customerId === undefined ? {} : { customerId }) } };
}
