import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '../repo-root.ts';
import { runCommand } from '../run-command.ts';
import { APPS, appNamed, resourceOf } from './app-containers.ts';
import { lastLines } from './docker-engine.ts';
import { freePortOn, isRunning, spawnLogged, stopChild, waitForPort } from './host-process.ts';

/** The token issuer the containers trust, and how the check gets a user token from it. */
export interface TokenIssuer {
  /** Settings every app container gets (AUTH_ISSUER, AUTH_JWKS_URL, AUTH_TOKEN_URL). */
  readonly serverEnv: Readonly<Record<string, string>>;
  /** client_secret of each client the issuer registered, by client id (`order-server`, `router`, `order-approvals`). */
  readonly clientSecrets: Readonly<Record<string, string>>;
  /** A bearer token for a user with these scopes, for the router's resource. */
  mintUserToken(subject: string, scopes: readonly string[]): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the dev token issuer (tools/dev-issuer: the oidc-provider dev provider) as a process of this host bound to
 * the bridge gateway, the way docker-compose runs it (a development tool, not an app image): every app's resource,
 * token exchange for the router and the order server, fresh client secrets. Everything about how the issuer is
 * started and asked for a token is in this one function.
 */
export async function startTokenIssuer(options: { host: string; dir: string; log: (line: string) => void }): Promise<TokenIssuer> {
  const port = await freePortOn(options.host);
  const url = `http://${options.host}:${port}`;
  const keyDir = path.join(options.dir, 'dev-issuer');
  await mkdir(keyDir, { recursive: true, mode: 0o700 });
  const clientSecrets = {
    'order-server': randomBytes(24).toString('hex'),
    router: randomBytes(24).toString('hex'),
    'order-approvals': randomBytes(24).toString('hex'),
  };
  const env = {
    DEV_ISSUER_URL: url,
    DEV_ISSUER_HOST: options.host,
    DEV_ISSUER_PORT: String(port),
    DEV_ISSUER_KEY_DIR: keyDir,
    DEV_ISSUER_RESOURCES: APPS.map(resourceOf).join(','),
    ROUTER_RESOURCE: resourceOf(appNamed('router')),
    ORDER_RESOURCE: resourceOf(appNamed('order-server')),
    PAYMENT_RESOURCE: resourceOf(appNamed('payment-server')),
    ORDER_SERVER_CLIENT_SECRET: clientSecrets['order-server'],
    ROUTER_CLIENT_SECRET: clientSecrets.router,
    ORDER_APPROVAL_CLIENT_SECRET: clientSecrets['order-approvals'],
  };
  const main = path.join(REPO_ROOT, 'tools', 'dev-issuer', 'src', 'main.ts');
  const child = spawnLogged(process.execPath, [main, 'serve'], { logFile: path.join(options.dir, 'dev-issuer.log'), env, cwd: REPO_ROOT });
  try {
    await waitForPort(options.host, port, 30_000, 'the dev token issuer', () => isRunning(child));
  } catch (error) {
    await stopChild(child, 'SIGTERM', 5000);
    throw error;
  }
  options.log(`dev token issuer on ${url}`);
  return {
    serverEnv: { AUTH_ISSUER: url, AUTH_JWKS_URL: `${url}/jwks`, AUTH_TOKEN_URL: `${url}/token` },
    clientSecrets,
    async mintUserToken(subject, scopes) {
      const result = await runCommand(process.execPath, [main, 'token', '--subject', subject, '--scopes', scopes.join(' ')], {
        env,
        cwd: REPO_ROOT,
        timeoutMs: 30_000,
      });
      if (result.code !== 0) throw new Error(`the dev issuer minted no token: ${lastLines(result.stderr, 3)}`);
      return result.stdout.trim();
    },
    stop: () => stopChild(child, 'SIGTERM', 10_000),
  };
}
