import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { withClient } from '@mcpfed/db';

/** A database created for one bench run. */
export interface ScratchDatabase {
  /** Its name, `mcpfed_bench_<random>`. */
  readonly name: string;
  /** Connection URL (the admin URL with the database replaced). */
  readonly url: string;
  /** Drops it, disconnecting anyone still connected. Idempotent. */
  drop(): Promise<void>;
}

/** Creates an empty database on the server of `adminUrl` (a superuser or a role with CREATEDB). */
export async function createScratchDatabase(adminUrl: string, label: string): Promise<ScratchDatabase> {
  if (!/^[a-z][a-z0-9_]{0,20}$/.test(label)) throw new TypeError('label must be 1-21 lower-case letters, digits or "_"');
  const name = `mcpfed_bench_${label}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropping: Promise<void> | undefined;
  return {
    name,
    url: url.toString(),
    drop(): Promise<void> {
      dropping ??= withAdmin(adminUrl, async (admin) => {
        await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
      });
      return dropping;
    },
  };
}

function withAdmin<T>(adminUrl: string, fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  return withClient(adminUrl, fn, { applicationName: 'mcpfed-bench' });
}
