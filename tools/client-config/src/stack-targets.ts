import path from 'node:path';
import { DEV_ISSUER_URL, DEV_JWKS_URL, FEDERATION_AUDIENCE, SERVICES, databaseNameOf, databaseUrlVariableOf, mcpUrl } from '@mcpfed/dev-stack';
import type { ServiceDefinition, StackEnvironment } from '@mcpfed/dev-stack';
import type { ConfigMode, ConfigTarget } from './client-config.ts';

/** Absolute path of this checkout (configs name absolute paths: clients start processes from anywhere). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

/** The router's entry name: one entry for the whole federation. */
export const ROUTER_ENTRY = 'mcpfed';

/**
 * The embedded PostgreSQL of `npm start` (tools/dev-stack: 127.0.0.1:54320, user postgres, its throwaway dev
 * password), used for a direct stdio server unless `DATABASE_URL_<DOMAIN>` names another database.
 */
function embeddedDatabaseUrl(domain: string): string {
  return `postgres://postgres:mcpfed-dev@127.0.0.1:54320/${databaseNameOf(domain)}`;
}

/** Settings that mean nothing to a process a client launches on stdio. */
const LISTENER_SETTINGS = new Set(['HOST', 'PORT', 'PUBLIC_URL']);

/** Options of {@link stackTargets}. */
export interface StackTargetsOptions {
  mode: ConfigMode;
  /** STDIO_SCOPES of stdio processes (space-separated); default every scope. */
  scopes?: readonly string[] | undefined;
  /** STDIO_CUSTOMER_ID of direct stdio servers (the router's stdio mode refuses one). */
  customerId?: string | undefined;
  /** The environment to read `DATABASE_URL_<DOMAIN>` from. */
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * The servers of the dev stack on this machine's ports (`MCPFED_PORT_BASE`), as config targets: the router alone
 * (`router` mode; on stdio a local router process that reaches the running servers with its service token), or
 * every domain server (`direct`; on stdio each server process on its own database).
 */
export function stackTargets(options: StackTargetsOptions): ConfigTarget[] {
  const domains = Object.fromEntries(
    SERVICES.filter((s) => s.database !== undefined).map((s) => [
      s.database as string,
      options.env[databaseUrlVariableOf(s.database as string)] || embeddedDatabaseUrl(s.database as string),
    ]),
  );
  const stack: StackEnvironment = {
    databaseUrls: domains,
    redisUrl: options.env['REDIS_URL'] || 'redis://127.0.0.1:6379',
    issuerUrl: DEV_ISSUER_URL,
    jwksUrl: DEV_JWKS_URL,
    audience: FEDERATION_AUDIENCE,
    logLevel: 'warn',
  };
  const target = (service: ServiceDefinition, name: string): ConfigTarget => {
    const env = Object.fromEntries(Object.entries(service.env(stack)).filter(([key]) => !LISTENER_SETTINGS.has(key)));
    if (options.scopes !== undefined && options.scopes.length > 0) env['STDIO_SCOPES'] = options.scopes.join(' ');
    if (options.customerId !== undefined) env['STDIO_CUSTOMER_ID'] = options.customerId;
    return {
      name,
      url: mcpUrl(service),
      stdio: {
        command: path.join(REPO_ROOT, 'node_modules', '.bin', 'node'),
        args: [path.join(REPO_ROOT, 'apps', service.app, 'src', 'main.ts'), 'serve', '--stdio'],
        env,
      },
    };
  };
  if (options.mode === 'router') {
    const router = SERVICES.find((s) => s.name === 'router');
    if (router === undefined) throw new Error('the dev stack has no router');
    return [target(router, ROUTER_ENTRY)];
  }
  return SERVICES.filter((s) => s.name !== 'router').map((s) => target(s, s.name));
}
