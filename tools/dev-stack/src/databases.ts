import { EMBEDDED_POSTGRES_PORT, startEmbeddedPostgres } from './embedded-postgres.ts';
import { databaseNameOf, databaseUrlVariableOf } from './services.ts';

/** The databases of the stack. */
export interface StackDatabases {
  /** Connection URL per domain. */
  readonly urls: Readonly<Record<string, string>>;
  /** One line per domain saying where its database is, for the summary. */
  readonly description: readonly string[];
  /** Data directory of the embedded PostgreSQL, when the stack started one (the fault harness restarts it with pg_ctl). */
  readonly embeddedDataDir?: string;
  /** Stops the embedded PostgreSQL when the stack started one. */
  stop(): Promise<void>;
  /** Asks the embedded PostgreSQL to shut down without waiting (for a process `exit` handler). */
  stopNow(): void;
}

/** Options of {@link resolveDatabases}. */
export interface ResolveDatabasesOptions {
  /** Domains that need a database (`customer`, ...). */
  readonly domains: readonly string[];
  /** The environment to read `DATABASE_URL_<DOMAIN>` from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Cluster directory of the embedded PostgreSQL. */
  readonly dataDir: string;
  /** Receives notable PostgreSQL messages. */
  readonly print: (line: string) => void;
}

/**
 * Uses `DATABASE_URL_<DOMAIN>` for every domain that has one; the others get database `mcpfed_<domain>` on an
 * embedded PostgreSQL (started only when at least one domain needs it).
 */
export async function resolveDatabases(options: ResolveDatabasesOptions): Promise<StackDatabases> {
  const urls: Record<string, string> = {};
  const description: string[] = [];
  const embedded: string[] = [];
  for (const domain of options.domains) {
    const variable = databaseUrlVariableOf(domain);
    const given = options.env[variable];
    if (given !== undefined && given !== '') {
      urls[domain] = given;
      description.push(`${domain}: from ${variable}`);
    } else {
      embedded.push(domain);
    }
  }
  if (embedded.length === 0) return { urls, description, stop: async () => {}, stopNow: () => {} };

  const cluster = await startEmbeddedPostgres({
    dataDir: options.dataDir,
    port: EMBEDDED_POSTGRES_PORT,
    databases: embedded.map(databaseNameOf),
    print: options.print,
  });
  for (const domain of embedded) {
    urls[domain] = cluster.urlFor(databaseNameOf(domain));
    description.push(`${domain}: ${databaseNameOf(domain)} on the embedded PostgreSQL 127.0.0.1:${EMBEDDED_POSTGRES_PORT}`);
  }
  return { urls, description, embeddedDataDir: options.dataDir, stop: () => cluster.stop(), stopNow: () => cluster.stopNow() };
}
