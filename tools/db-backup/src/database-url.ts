import { databaseNameOf, databaseUrlVariableOf } from '@mcpfed/dev-stack';

const DOMAIN = /^[a-z][a-z0-9-]{0,39}$/;

/** The usage problem of a command line, reported with exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The database of `domain`, from `DATABASE_URL_<DOMAIN>` as the dev stack reads it (e.g. DATABASE_URL_CUSTOMER).
 * Throws UsageError for a malformed domain or a missing variable, naming npm start's embedded database.
 */
export function databaseUrlOfDomain(domain: string, env: Readonly<Record<string, string | undefined>>): string {
  if (!DOMAIN.test(domain)) throw new UsageError(`--domain must be a domain name such as customer, got "${domain}"`);
  const variable = databaseUrlVariableOf(domain).replace(/-/g, '_');
  const url = env[variable]?.trim();
  if (!url) {
    throw new UsageError(
      `set ${variable} to the ${domain} database (npm start's embedded one is postgres://postgres:mcpfed-dev@127.0.0.1:54320/${databaseNameOf(domain)})`,
    );
  }
  if (!/^postgres(?:ql)?:\/\//.test(url)) throw new UsageError(`${variable} must be a postgres:// URL`);
  return url;
}
