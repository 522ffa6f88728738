/**
 * Compose's variable interpolation for one string: `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?message}` (an error when unset or empty), `$VAR` and `$$` (a literal `$`).
 * Throws an Error naming the variable when a `:?` variable is missing.
 */
export function interpolateCompose(text: string, variables: Readonly<Record<string, string>>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, name?: string, operator?: string, argument?: string, bare?: string) => {
      if (whole === '$$') return '$';
      const variable = (name ?? bare) as string;
      const value = variables[variable];
      const missing = operator?.startsWith(':') ? value === undefined || value === '' : value === undefined;
      if (operator?.endsWith('?') && missing) throw new Error(`${variable}: ${argument || 'required'}`);
      if (operator?.endsWith('-') && missing) return argument ?? '';
      return value ?? '';
    },
  );
}

/** The `KEY=value` lines of an env file (comments and blank lines skipped; no quoting rules beyond trimming). */
export function parseEnvFile(text: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1] !== undefined && !line.trimStart().startsWith('#')) variables[match[1]] = (match[2] ?? '').trim();
  }
  return variables;
}
