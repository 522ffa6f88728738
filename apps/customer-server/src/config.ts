import { z } from 'zod';
import {
  DEVELOPMENT_AUDIT_DIGEST_KEY,
  commonServerEnv,
  domainServerEnv,
  positiveInt,
  redisKeyPrefix,
  requireSecretsOutsideDevelopment,
  sqlToolEnv,
  url,
} from '@mcpfed/config';
import { ORDER_EVENTS_QUEUE_PREFIX } from '@mcpfed/contract-order';
import { readOnlyConnectionString } from '@mcpfed/db';
import { SQL_READER_ROLE } from './store/sql-reader-role.ts';

const postgresUrl = () => url({ protocols: ['postgres', 'postgresql'] });

/** The customer server's environment (docs/architecture.md §2), parsed once at start by main.ts. */
export const customerConfigSchema = requireSecretsOutsideDevelopment(
  z.object({
    ...commonServerEnv(8081),
    ...domainServerEnv(),
    /** The customer database, as its owner role (migrations, tools). Required postgres:// URL. */
    DATABASE_URL: postgresUrl(),
    ...sqlToolEnv(),
    /**
     * Redis key prefix of the order events queues the order server's relay publishes to (`order-events.customer`
     * is consumed when serving HTTP). Default `{mcpfed:events}`; it must match the order server's setting.
     */
    ORDER_EVENTS_PREFIX: redisKeyPrefix(ORDER_EVENTS_QUEUE_PREFIX),
    /** Order events applied at once by this process. Default 4. */
    ORDER_EVENTS_CONCURRENCY: positiveInt(4),
  }),
  { AUDIT_DIGEST_KEY: DEVELOPMENT_AUDIT_DIGEST_KEY, SQL_READER_PASSWORD: null },
).transform((config) => ({
  ...config,
  SQL_DATABASE_URL: config.SQL_DATABASE_URL ?? readOnlyConnectionString(config.DATABASE_URL, SQL_READER_ROLE, config.SQL_READER_PASSWORD),
}));

/** The parsed settings of the customer server. */
export type CustomerConfig = z.output<typeof customerConfigSchema>;
