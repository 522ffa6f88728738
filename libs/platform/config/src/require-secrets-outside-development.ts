import type { z } from 'zod';
import type { DeploymentEnvironment } from './env-values.ts';

/** Per secret setting: its development-only value, or `null` when it stays unset in development. */
export type DevelopmentValues<T> = { readonly [K in keyof T]?: string | null };

/** The parsed config once its secrets are resolved: a secret with a development value is always a string. */
export type WithSecrets<T, D> = Omit<T, keyof D> & { [K in keyof D & keyof T]: D[K] extends string ? string : Exclude<T[K], null> };

/**
 * Makes secret settings required outside development, in the app's config schema, so a deployment missing one stops
 * at start with one line naming it (and `tools/deploy-checks`, which parses every deployed environment with the
 * app's schema, fails on it):
 * `invalid configuration: AUDIT_DIGEST_KEY: required outside development (MCPFED_ENV=production)…`.
 * In development (`MCPFED_ENV=development`: `npm start`, tests) an unset secret takes its development-only value,
 * which anyone can read in this repository, so `npm start` needs no configuration.
 *
 * Declare each secret in the object as optional (see `secret`), and `MCPFED_ENV` (in `commonServerEnv`):
 * ```ts
 * requireSecretsOutsideDevelopment(z.object({ ...commonServerEnv(8084), AUDIT_DIGEST_KEY: secret(32) }), {
 *   AUDIT_DIGEST_KEY: DEVELOPMENT_AUDIT_DIGEST_KEY,
 * })
 * ```
 * @param schema The app's object schema.
 * @param developmentValues The secret settings, each with its development-only value (`null`: none).
 */
export function requireSecretsOutsideDevelopment<S extends z.ZodObject, const D extends DevelopmentValues<z.output<S>>>(schema: S, developmentValues: D) {
  const names = Object.keys(developmentValues);
  let checked: z.ZodType<Record<string, unknown>> = schema as z.ZodType<Record<string, unknown>>;
  for (const name of names) {
    // `when`: the check runs even when other settings are bad, so one line names every missing secret.
    checked = checked.refine((config) => config['MCPFED_ENV'] === 'development' || config[name] !== undefined, {
      path: [name],
      message: `required outside development (MCPFED_ENV=production): set it from the secret store, or set MCPFED_ENV=development for a local run`,
      when: () => true,
    });
  }
  return checked.transform((config) => {
    const resolved = { ...config };
    if (resolved['MCPFED_ENV'] === ('development' satisfies DeploymentEnvironment)) {
      for (const name of names) {
        const value = developmentValues[name as keyof D];
        if (resolved[name] === undefined && typeof value === 'string') resolved[name] = value;
      }
    }
    return resolved as unknown as WithSecrets<z.output<S>, D>;
  });
}
