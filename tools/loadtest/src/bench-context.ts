import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { loadOrCreateDevIssuer } from '@mcpfed/auth';
import type { DevIssuer } from '@mcpfed/auth';
import { createDevProvider } from '@mcpfed/auth/dev-provider';
import { SCOPES } from '@mcpfed/contract-common';
import { devProviderClients, freePort } from '@mcpfed/dev-stack';
import { deleteKeys } from '@mcpfed/testing';
import { Redis } from 'ioredis';

/** Settings of one `npm run bench`. */
export interface BenchSettings {
  /** Repository root (apps are run from here). */
  readonly repoRoot: string;
  /** Superuser URL of the PostgreSQL server that holds the scratch databases (BENCH_DATABASE_URL). */
  readonly adminUrl: string;
  /** Redis the servers use (REDIS_URL). */
  readonly redisUrl: string;
  /** Directory for server logs and the dev issuer key of this run. */
  readonly workDir: string;
  /** Customers seeded (`seed --count`). */
  readonly seedCount: number;
  /** Products seeded for product_search (`seed --count` of the product server). Default 200000. */
  readonly productCount?: number;
  /** LOG_LEVEL of the servers. */
  readonly logLevel: string;
}

/** The servers a bench starts. */
export type BenchApp = 'customer-server' | 'order-server' | 'product-server' | 'payment-server' | 'router';

const BENCH_APPS: readonly BenchApp[] = ['customer-server', 'order-server', 'product-server', 'payment-server', 'router'];

/**
 * The resource of a bench server of `app` (its AUTH_AUDIENCE, the audience of the tokens it accepts): one per app and
 * independent of the port, so a scenario mints its token before the server of each run gets its port. The `.invalid`
 * host is never called; servers are reached at their URLs, and the router and the order server exchange tokens for
 * these resources (the router's upstream `resource`, the order server's `*_MCP_AUDIENCE`).
 */
export function benchResource(app: BenchApp): string {
  return `http://${app}.bench.invalid/mcp`;
}

/**
 * The dev provider (oidc-provider) running inside the bench process, as `npm start` runs it: servers verify its tokens
 * like any OIDC provider's, and the router and the order server get and exchange tokens at its token endpoint with
 * the dev stack's clients.
 */
export interface BenchIssuer {
  /** AUTH_ISSUER. */
  readonly issuerUrl: string;
  /** AUTH_JWKS_URL. */
  readonly jwksUrl: string;
  /** AUTH_TOKEN_URL. */
  readonly tokenUrl: string;
  /** Mints a token for the server of `app` ({@link benchResource}) with the given scopes, valid for two hours. */
  token(scopes: readonly string[], app: BenchApp): Promise<string>;
}

/** What scenarios share during one bench: settings, lazily built fixtures and the cleanup list. */
export class BenchContext {
  /** The settings of this bench. */
  readonly settings: BenchSettings;
  readonly #cleanups: Array<() => Promise<void>> = [];
  readonly #fixtures = new Map<string, Promise<unknown>>();

  /** @param settings the bench settings. */
  constructor(settings: BenchSettings) {
    this.settings = Object.freeze({ ...settings });
  }

  /** Registers an undo step; {@link cleanup} runs them last-first. */
  defer(cleanup: () => Promise<void>): void {
    this.#cleanups.push(cleanup);
  }

  /** Runs every undo step once, last-first, and keeps going when one fails. */
  async cleanup(): Promise<void> {
    while (this.#cleanups.length > 0) {
      const step = this.#cleanups.pop();
      try {
        await step?.();
      } catch (error) {
        process.stderr.write(`bench: cleanup step failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  }

  /** Builds a fixture once per bench (e.g. a migrated and seeded database) and shares it between scenarios. */
  fixture<T>(key: string, build: () => Promise<T>): Promise<T> {
    let fixture = this.#fixtures.get(key) as Promise<T> | undefined;
    if (fixture === undefined) {
      fixture = build();
      this.#fixtures.set(key, fixture);
    }
    return fixture;
  }

  /** A fresh Redis key prefix, `<stem>-<8 hex digits>`, whose keys (`<prefix>:*`) are deleted when the bench ends. */
  redisPrefix(stem: string): string {
    const prefix = `${stem}-${randomBytes(4).toString('hex')}`;
    this.defer(async () => {
      const redis = new Redis(this.settings.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await redis.connect();
        await deleteKeys(redis, `${prefix}:`);
      } finally {
        redis.disconnect();
      }
    });
    return prefix;
  }

  /** Starts `server` listening on 127.0.0.1:`port` and closes it, with every open connection, when the bench ends. */
  async serve(server: http.Server, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.defer(() => closeServer(server));
  }

  /** The dev provider of this bench (started on first use): every {@link benchResource}, the dev stack's clients. */
  issuer(): Promise<BenchIssuer> {
    return this.fixture('dev-issuer', async () => {
      const port = await freePort();
      const issuerUrl = `http://127.0.0.1:${port}`;
      const dir = path.join(this.settings.workDir, 'dev-issuer');
      await mkdir(dir, { recursive: true });
      const issuer: DevIssuer = await loadOrCreateDevIssuer({ dir, issuerUrl });
      const { server } = createDevProvider({
        issuer,
        resources: BENCH_APPS.map(benchResource),
        scopes: SCOPES,
        clients: devProviderClients({ router: benchResource('router'), order: benchResource('order-server'), payment: benchResource('payment-server') }),
        accessTokenTtlSeconds: 7200,
      });
      await this.serve(server, port);
      return {
        issuerUrl,
        jwksUrl: `${issuerUrl}/jwks`,
        tokenUrl: `${issuerUrl}/token`,
        token: (scopes, app) => issuer.mint({ subject: 'bench', scopes, audience: benchResource(app), ttlSeconds: 7200 }),
      };
    });
  }
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
