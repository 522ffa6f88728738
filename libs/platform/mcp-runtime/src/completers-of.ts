import type { Completer } from './types.ts';

/**
 * The completers of a binding, checked against what its contract declares it `completes`: a declared argument
 * without a completer, or a completer the contract does not declare, is a wiring bug found at start.
 */
export function completersOf<DB>(
  what: string,
  declared: readonly string[] | undefined,
  given: Readonly<Record<string, Completer<DB>>> | undefined,
): Readonly<Record<string, Completer<DB>>> | undefined {
  const names = new Set(declared ?? []);
  const bound = Object.keys(given ?? {});
  const missing = [...names].filter((name) => !bound.includes(name));
  const extra = bound.filter((name) => !names.has(name));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `${what}: completers must match the contract's completes (missing: ${missing.join(', ') || 'none'}; undeclared: ${extra.join(', ') || 'none'})`,
    );
  }
  return names.size === 0 ? undefined : Object.freeze({ ...given });
}
