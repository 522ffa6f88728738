import { DEMO_USERS } from './demo-users.ts';
import { clientCredentialsToken, loginToken } from './dev-login.ts';
import { DEV_CLI_CLIENT, DEV_SERVICE_CLIENTS } from './service-clients.ts';
import type { TokenRequest } from './token-args.ts';

/**
 * The token of `request` from the stack's provider at `issuerUrl`, through a real grant: a demo user logs in as
 * the CLI's public client (authorization code + PKCE), or a service client uses client credentials.
 * @throws StackError when the provider is not running or refuses.
 */
export function requestStackToken(request: TokenRequest, issuerUrl: string): Promise<string> {
  const target = { issuerUrl, resource: request.resource, scopes: request.scopes };
  if (request.grant.kind === 'client') {
    const client = DEV_SERVICE_CLIENTS[request.grant.client];
    return clientCredentialsToken({ ...target, clientId: client.id, clientSecret: client.secret });
  }
  const user = DEMO_USERS[request.grant.user];
  return loginToken({ ...target, clientId: DEV_CLI_CLIENT.id, redirectUri: DEV_CLI_CLIENT.redirectUri, login: user.subject, password: user.password });
}
