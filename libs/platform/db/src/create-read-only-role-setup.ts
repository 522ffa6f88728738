import { ensureReadOnlyRole } from './ensure-read-only-role.ts';
import { optionSchemas, parseOptions } from '@mcpfed/errors';
import { z } from 'zod';
import { SQL_IDENTIFIER, relationNamesOption } from './option-checks.ts';
import type { SqlPool } from './sql-pool.ts';

/** Options of one run of a {@link ReadOnlyRoleSetup}: what differs per deployment. */
export interface ReadOnlyRoleSetupOptions {
  /** Name of the domain's database the role may connect to. */
  database: string;
  /** The role's password; default none (trust authentication in dev and tests). */
  password?: string | undefined;
}

/**
 * Creates or updates one domain's read-only SQL role (see `ensureReadOnlyRole`). Run after migrating, with `admin`
 * connected as the owner of the relations.
 */
export type ReadOnlyRoleSetup = (admin: SqlPool, options: ReadOnlyRoleSetupOptions) => Promise<void>;

/** Options of {@link createReadOnlyRoleSetup}: what is fixed per domain. */
export interface ReadOnlyRoleDefinition {
  /** Role name, lower-case, one per domain, e.g. `customer_sql_reader`. */
  role: string;
  /** The only relations the role may SELECT: the domain's `<domain>_query_sql` allow-list. */
  relations: readonly string[];
}

const roleDefinitionOptions = z.object({
  role: optionSchemas.stringMatching(SQL_IDENTIFIER, 'a lower-case SQL identifier'),
  relations: relationNamesOption(false),
});

/**
 * Binds a domain's read-only role name and relations once, so its composition root and tests only pass the
 * database (and password): `createReadOnlyRoleSetup({ role: 'customer_sql_reader', relations })`.
 */
export function createReadOnlyRoleSetup(definition: ReadOnlyRoleDefinition): ReadOnlyRoleSetup {
  const { role, relations } = parseOptions('createReadOnlyRoleSetup', roleDefinitionOptions, definition);
  return (admin, options) =>
    ensureReadOnlyRole(admin, {
      role,
      relations,
      database: options.database,
      ...(options.password === undefined ? {} : { password: options.password }),
    });
}
