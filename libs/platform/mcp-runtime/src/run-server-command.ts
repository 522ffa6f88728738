import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { loadConfigOrExit } from '@mcpfed/config';
import { createDatabase, databaseNameOf, migrateToLatest } from '@mcpfed/db';
import type { Migration, ReadOnlyRoleSetup } from '@mcpfed/db';
import { createLogger } from '@mcpfed/telemetry';
import type { Logger, LogLevel } from '@mcpfed/telemetry';

/** Exit status for a command-line usage error (sysexits.h `EX_USAGE`). */
const EX_USAGE = 64;

/** The settings every app's config provides to {@link runServerCommand}. */
export interface ServerCommandSettings {
  LOG_LEVEL: LogLevel;
  /** The domain database, migrated by `migrate`. */
  DATABASE_URL: string;
  /** Password `migrate` gives the domain's read-only SQL role; default none (trust auth). */
  SQL_READER_PASSWORD?: string | undefined;
}

/** One extra command-line flag (`node:util` `parseArgs` option). */
export interface ServerCommandFlag {
  type: 'string' | 'boolean';
  /** Value when the flag is absent; default none. */
  default?: string | boolean;
}

/** What a command handler of {@link runServerCommand} gets. */
export interface ServerCommandContext<C> {
  config: C;
  logger: Logger;
  /** The parsed flags (`stdio`, `help` and the app's own `options`). */
  values: Readonly<Record<string, string | boolean | undefined>>;
  /** `--count N` as a positive integer, or `fallback` without it; a bad value is a usage error (exit 64). */
  count(fallback: number): number;
  /** Writes `message` and the usage text to stderr and exits 64. */
  usageError(message: string): never;
}

/** Options of {@link runServerCommand}: an app's `main.ts`, less the scaffolding. */
export interface RunServerCommandOptions<C extends ServerCommandSettings> {
  /** App name, e.g. `customer-server`: the logger name, the prefix of fatal errors and of `application_name`. */
  name: string;
  /** Usage text, written on `--help` (exit 0) and on a usage error (exit 64). */
  usage: string;
  /** The app's environment schema (see `loadConfigOrExit`; a bad environment exits 78). */
  configSchema: z.ZodType<C>;
  /** Command-line arguments after the script, normally `process.argv.slice(2)`. */
  argv: readonly string[];
  /** The environment, normally `process.env`. */
  env: Record<string, string | undefined>;
  /** Flags beyond `--stdio` and `--help`, e.g. `{ count: { type: 'string' } }`. Default none. */
  options?: Readonly<Record<string, ServerCommandFlag>>;
  /** `migrate`: the domain's migrations, then its read-only SQL role (see {@link migrateDatabase}). */
  migrate: { migrations: Readonly<Record<string, Migration>>; readOnlyRole: ReadOnlyRoleSetup };
  /** `seed`: inserts the demo data. */
  seed(context: ServerCommandContext<C>): Promise<void>;
  /** `serve` (the default command): `transport` is `stdio` with `--stdio`, else `http`. */
  serve(context: ServerCommandContext<C>, transport: 'http' | 'stdio'): Promise<void>;
  /** Further commands by name, e.g. `generate-import`. Default none. */
  commands?: Readonly<Record<string, (context: ServerCommandContext<C>) => Promise<void>>>;
}

/** A parsed command line: the command to run, or the exit status after the usage text. */
export type ParsedServerCommand = { command: string; values: Record<string, string | boolean | undefined> } | { exitCode: 0 | typeof EX_USAGE };

/**
 * Parses `[command] [flags]` where `command` is one of `commands` (default the first); `--help`, an unknown
 * command or a second positional yields the exit status. Unknown flags throw (parseArgs' strict mode).
 */
export function parseServerCommand(
  argv: readonly string[],
  commands: readonly string[],
  options: Readonly<Record<string, ServerCommandFlag>> = {},
): ParsedServerCommand {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { stdio: { type: 'boolean', default: false }, ...options, help: { type: 'boolean', default: false } },
  });
  const command = positionals[0] ?? commands[0] ?? 'serve';
  if (values.help === true || !commands.includes(command) || positionals.length > 1) {
    return { exitCode: values.help === true ? 0 : EX_USAGE };
  }
  return { command, values };
}

/**
 * The composition root's command line: `serve [--stdio] | migrate | seed | <commands>`. Parses `argv`, loads the
 * config, creates the logger and runs the command. Never rejects: a failure is written as one line
 * `<name>: <message>` to stderr (never a stack or connection string) and exits 1.
 */
export async function runServerCommand<C extends ServerCommandSettings>(options: RunServerCommandOptions<C>): Promise<void> {
  try {
    const extra = options.commands ?? {};
    const parsed = parseServerCommand(options.argv, ['serve', 'migrate', 'seed', ...Object.keys(extra)], options.options);
    if ('exitCode' in parsed) {
      process.stderr.write(`${options.usage}\n`);
      return process.exit(parsed.exitCode);
    }
    const config = loadConfigOrExit(options.configSchema, options.env);
    const logger = createLogger({ name: options.name, level: config.LOG_LEVEL });
    const usageError = (message: string): never => {
      process.stderr.write(`${message}\n${options.usage}\n`);
      return process.exit(EX_USAGE);
    };
    const values = parsed.values;
    const context: ServerCommandContext<C> = {
      config,
      logger,
      values,
      usageError,
      count: (fallback) => {
        const arg = values['count'];
        const count = arg === undefined ? fallback : Number(arg);
        if (!Number.isSafeInteger(count) || count < 1) usageError(`--count must be a positive integer, got "${String(arg)}"`);
        return count;
      },
    };
    const { command } = parsed;
    if (command === 'migrate') {
      await migrateDatabase({ name: options.name, config, logger, ...options.migrate });
    } else if (command === 'seed') {
      await options.seed(context);
    } else if (command === 'serve') {
      await options.serve(context, values['stdio'] === true ? 'stdio' : 'http');
    } else {
      await extra[command]?.(context);
    }
  } catch (error) {
    // The logger may not exist yet (config errors exit earlier with one line); never print connection strings.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${options.name}: ${message}\n`);
    process.exit(1);
  }
}

/** Options of {@link migrateDatabase}. */
interface MigrateDatabaseOptions {
  /** App name; the connection's `application_name` is `<name>-migrate`. */
  name: string;
  config: ServerCommandSettings;
  logger: Logger;
  migrations: Readonly<Record<string, Migration>>;
  /** The domain's read-only SQL role, set up after the migrations. */
  readOnlyRole: ReadOnlyRoleSetup;
}

/**
 * Applies the pending migrations over one connection (no statement timeout), then creates or updates the
 * read-only SQL role on the same database, and logs what was applied.
 */
async function migrateDatabase(options: MigrateDatabaseOptions): Promise<void> {
  const { config, logger } = options;
  const database = createDatabase({ connectionString: config.DATABASE_URL, applicationName: `${options.name}-migrate`, max: 1, statementTimeoutMs: 0 });
  try {
    const applied = await migrateToLatest(database.db, options.migrations);
    await options.readOnlyRole(database.pool, { database: databaseNameOf(config.DATABASE_URL), password: config.SQL_READER_PASSWORD });
    logger.info({ applied }, applied.length === 0 ? 'database already up to date' : 'migrations applied');
  } finally {
    await database.close();
  }
}
