import path from 'node:path';
import { z } from 'zod';
import {
  DEVELOPMENT_AUDIT_DIGEST_KEY,
  commonServerEnv,
  csv,
  domainServerEnv,
  durationMs,
  positiveInt,
  redisKeyPrefix,
  requireSecretsOutsideDevelopment,
  sqlToolEnv,
  url,
} from '@mcpfed/config';
import { readOnlyConnectionString } from '@mcpfed/db';
import { SQL_READER_ROLE, normalizeAllowedHost } from './catalog/index.ts';

const postgresUrl = () => url({ protocols: ['postgres', 'postgresql'] });

/** The product server's environment (docs/architecture.md §2), parsed once at start by main.ts. */
export const productConfigSchema = requireSecretsOutsideDevelopment(
  z.object({
    ...commonServerEnv(8083),
    ...domainServerEnv(),
    /** The product database, as its owner role (migrations, tools, workers). Required postgres:// URL. */
    DATABASE_URL: postgresUrl(),
    ...sqlToolEnv(),
    /** BullMQ key prefix of the import and reservation-expiry queues; the hash tag keeps their keys in one Redis Cluster slot. Default `{mcpfed:product}`. */
    QUEUE_PREFIX: redisKeyPrefix('{mcpfed:product}'),
    /** Directory product_import `{ path }` sources must lie in; relative to the working directory. Default `.data/imports`. */
    PRODUCT_IMPORT_DIR: z.string().trim().min(1).default('.data/imports'),
    /** Largest import source, in bytes. Default 536870912 (512 MiB). */
    PRODUCT_IMPORT_MAX_BYTES: positiveInt(512 * 1024 * 1024),
    /** Import rows per transaction (one upsert statement and one progress update). Default 1000. */
    PRODUCT_IMPORT_BATCH_SIZE: positiveInt(1000),
    /** Import batches written side by side (each on its own connection, committed in file order). Default 3. */
    PRODUCT_IMPORT_PARALLEL_BATCHES: positiveInt(3),
    /**
     * Exact `host:port` pairs that `{ url }` imports may reach even though they resolve to loopback or private
     * addresses, comma-separated (`mirror.internal:8443,10.0.0.7:80`): for tests and for a catalog mirror inside an
     * air-gapped network. Default empty: imports reach public addresses only. There is no wildcard.
     */
    PRODUCT_IMPORT_ALLOW_HOSTS: csv
      .default(() => [])
      .transform((entries, ctx) =>
        entries.map((entry) => {
          const normalized = normalizeAllowedHost(entry);
          if (normalized === undefined) ctx.issues.push({ code: 'custom', message: 'expected host:port pairs such as mirror.internal:8443', input: entry });
          return normalized ?? entry;
        }),
      ),
    /** Removed: it allowed every private address. Set PRODUCT_IMPORT_ALLOW_HOSTS to the exact host:port pairs instead. */
    PRODUCT_IMPORT_ALLOW_PRIVATE_URLS: z
      .undefined({ error: 'was removed; list the exact host:port pairs imports may reach in PRODUCT_IMPORT_ALLOW_HOSTS' })
      .optional(),
    /**
     * How often the sweeper expires active reservations past their TTL from the database, in milliseconds. The
     * delayed job per reservation is only the prompt path: with Redis empty or down, a reservation outlives its TTL
     * by at most this plus INVENTORY_SWEEP_GRACE_MS. Default 5000 ms.
     */
    INVENTORY_SWEEP_INTERVAL_MS: durationMs(5000),
    /** How long past its TTL a reservation must be before the sweeper takes it (the delayed job's turn first), in milliseconds. Default 1000 ms. */
    INVENTORY_SWEEP_GRACE_MS: durationMs(1000),
  }),
  { AUDIT_DIGEST_KEY: DEVELOPMENT_AUDIT_DIGEST_KEY, SQL_READER_PASSWORD: null },
).transform((config) => ({
  ...config,
  PRODUCT_IMPORT_DIR: path.resolve(config.PRODUCT_IMPORT_DIR),
  SQL_DATABASE_URL: config.SQL_DATABASE_URL ?? readOnlyConnectionString(config.DATABASE_URL, SQL_READER_ROLE, config.SQL_READER_PASSWORD),
}));

/** The parsed settings of the product server. */
export type ProductConfig = z.output<typeof productConfigSchema>;
