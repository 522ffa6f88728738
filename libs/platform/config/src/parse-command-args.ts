import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

/** The options a command takes, as `node:util` `parseArgs` declares them. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** The values of {@link parseCommandArgs} for `options`: each given option's value, absent ones `undefined`. */
export type CommandArgValues<O extends CommandOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; strict: true; allowPositionals: false; options: O }>
>['values'];

/**
 * Parses a command's arguments strictly (an unknown option or a positional argument is a usage error) without
 * throwing: the values, or the message of what is wrong for the command to print with its usage.
 */
export function parseCommandArgs<const O extends CommandOptions>(
  argv: readonly string[],
  options: O,
): { readonly values: CommandArgValues<O> } | { readonly error: string } {
  try {
    const { values } = parseArgs<{ args: string[]; strict: true; allowPositionals: false; options: O }>({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options,
    });
    return { values };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
