import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SCOPES } from '@mcpfed/contract-common';
import { DEV_ISSUER_KEY_FILE, loadOrCreateDevIssuer } from '@mcpfed/auth';
import type { DevIssuer } from '@mcpfed/auth';
import { pidFileOf, readStackFile } from '@mcpfed/dev-stack';
import { DOMAINS, SettingsError } from './harness-settings.ts';
import type { HarnessSettings } from './harness-settings.ts';

/** The servers of a stack, as the harness addresses them. */
export const SERVER_NAMES = ['customer', 'order', 'product', 'payment', 'router'] as const;

/** Offsets of the servers from the port base (the dev stack's convention, docs/architecture.md §2). */
const PORT_OFFSETS: Readonly<Record<(typeof SERVER_NAMES)[number], number>> = { router: 0, customer: 1, order: 2, product: 3, payment: 4 };

/** Everything the harness needs to know about the stack it tests. */
export interface StackTarget {
  /** The router's MCP endpoint: every load and hostile call goes there. */
  readonly routerMcpUrl: string;
  /** Base URL of each server (`/readyz`, `/mcp`). */
  readonly serverUrls: Readonly<Record<string, string>>;
  /** Pid file of each server, when the stack is a dev stack that keeps them. */
  readonly pidFiles: Readonly<Record<string, string>>;
  /** Database URL per domain (read by the invariants). */
  readonly databaseUrls: Readonly<Record<(typeof DOMAINS)[number], string>>;
  /** The stack's Redis. */
  readonly redisUrl: string | undefined;
  /** A cluster the harness may restart with pg_ctl. */
  readonly pgDataDir: string | undefined;
  /** A superuser URL for pg_terminate_backend. */
  readonly pgAdminUrl: string | undefined;
  /** Bearer token with every scope (audit probes, hostile requests). */
  readonly token: string;
  /**
   * One token per load worker, each with its own subject (`fault-harness-<run>-<n>`) when the harness mints them:
   * rate limits and payment limits are per caller, and a dev stack's 600 calls a minute per tool and caller would
   * otherwise throttle the load itself. With `--token`, every worker uses that one.
   */
  readonly workerTokens: readonly string[];
}

/**
 * Resolves the target from the settings and, when present, `<data dir>/run/stack.json` of a running `npm start`.
 * Throws {@link SettingsError} when a database URL or the token cannot be found.
 */
export async function resolveStackTarget(settings: HarnessSettings): Promise<StackTarget> {
  const stack = readStackFile(settings.dataDir);
  const portBase = settings.portBase ?? stack?.portBase ?? 8080;
  const serverUrls: Record<string, string> = {};
  const pidFiles: Record<string, string> = {};
  for (const name of SERVER_NAMES) {
    const fromStack = settings.portBase === undefined ? stack?.services[name] : undefined;
    serverUrls[name] = fromStack?.url ?? `http://127.0.0.1:${portBase + PORT_OFFSETS[name]}`;
    const pidFile = fromStack?.pidFile ?? pidFileOf(settings.dataDir, name);
    if (stack !== undefined || existsSync(pidFile)) pidFiles[name] = pidFile;
  }
  const databaseUrls = {} as Record<(typeof DOMAINS)[number], string>;
  for (const domain of DOMAINS) {
    const url = settings.databaseUrls[domain] ?? stack?.databaseUrls[domain];
    if (url === undefined) {
      throw new SettingsError(
        `no database URL for ${domain}: no running npm start wrote ${path.join(settings.dataDir, 'run', 'stack.json')}; ` +
          `pass --database-url-${domain} (or DATABASE_URL_${domain.toUpperCase()}) or --data-dir of the stack`,
      );
    }
    databaseUrls[domain] = url;
  }
  const pgDataDir = settings.pgDataDir ?? (settings.pgAdminUrl === undefined ? stack?.postgresDataDir : undefined);
  let token = settings.token;
  let workerTokens: string[] = [];
  const routerMcpUrl = `${serverUrls['router']}/mcp`;
  if (token === undefined) {
    // Signed with the stack's own key rather than asked of its provider: the load needs one caller per worker, and
    // the provider knows three demo users only. Addressed to the router, the one server the harness calls (the
    // router exchanges them for its upstreams, as it does any caller's token).
    const issuer = await devIssuer(settings.dataDir, stack?.issuerUrl ?? `http://127.0.0.1:${portBase + 10}`);
    const mint = (subject: string): Promise<string> => issuer.mint({ subject, scopes: SCOPES, audience: routerMcpUrl, ttlSeconds: 12 * 3600 });
    const run = randomBytes(3).toString('hex');
    token = await mint('fault-harness');
    workerTokens = await Promise.all(Array.from({ length: settings.concurrency }, (_, i) => mint(`fault-harness-${run}-${i + 1}`)));
  } else {
    workerTokens = Array.from({ length: settings.concurrency }, () => token as string);
  }
  return Object.freeze({
    routerMcpUrl,
    serverUrls,
    pidFiles,
    databaseUrls,
    redisUrl: settings.redisUrl ?? stack?.redisUrl,
    pgDataDir,
    pgAdminUrl: settings.pgAdminUrl,
    token,
    workerTokens,
  });
}

async function devIssuer(dataDir: string, issuerUrl: string): Promise<DevIssuer> {
  const dir = path.join(dataDir, 'dev-issuer');
  if (!existsSync(path.join(dir, DEV_ISSUER_KEY_FILE))) {
    throw new SettingsError(`no dev issuer key in ${dir}: pass --token (a token with every scope) or --data-dir of the npm start stack`);
  }
  return loadOrCreateDevIssuer({ dir, issuerUrl });
}
