import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A PostgreSQL client program found on this machine. */
export interface PgTool {
  /** Path or name to execute. */
  readonly path: string;
  /** Major version, e.g. 15. */
  readonly major: number;
  /** Full version text, e.g. `15.20`. */
  readonly version: string;
}

/** A tool could not be chosen; the message says what to install. */
export class PgToolError extends Error {
  override readonly name = 'PgToolError';
}

/** Parses `pg_dump (PostgreSQL) 15.20 (Debian …)` or `pg_restore (PostgreSQL) 18.1` into its version. */
export function parseToolVersion(output: string): { major: number; version: string } | undefined {
  const match = /\(PostgreSQL\)\s+(\d+)(\.\d+)?/.exec(output);
  return match?.[1] === undefined ? undefined : { major: Number(match[1]), version: `${match[1]}${match[2] ?? ''}` };
}

/**
 * Picks the tool for a server (or archive) of major version `needed`: pg_dump refuses to dump a newer server and
 * pg_restore cannot read an archive of a newer pg_dump, so the tool's major must be >= `needed`. The oldest such
 * tool is taken (its output restores into the widest range of servers). Throws PgToolError naming what to install.
 */
export function chooseTool(program: 'pg_dump' | 'pg_restore', found: readonly PgTool[], needed: number, what: string): PgTool {
  const fitting = found.filter((tool) => tool.major >= needed).sort((a, b) => a.major - b.major);
  const chosen = fitting[0];
  if (chosen !== undefined) return chosen;
  const newest = [...found].sort((a, b) => b.major - a.major)[0];
  const have = newest === undefined ? `no ${program} was found` : `the newest ${program} here is ${newest.version} (${newest.path})`;
  throw new PgToolError(
    `${what} is PostgreSQL ${needed}, but ${have}: ${program} must be version ${needed} or newer. ` +
      `Install the PostgreSQL ${needed} client (Debian/Ubuntu: postgresql-client-${needed} from apt.postgresql.org; macOS: brew install postgresql@${needed}) ` +
      `or point PG_BIN_DIR at its bin directory.`,
  );
}

/**
 * Every `program` on this machine with its version: only `PG_BIN_DIR/<program>` when PG_BIN_DIR is set; else the
 * one on PATH and those of Debian's side-by-side installs (`/usr/lib/postgresql/<major>/bin`), Homebrew's
 * (`/opt/homebrew/opt/postgresql@<major>/bin`, `/usr/local/opt/postgresql@<major>/bin`) and `/usr/local/pgsql/bin`.
 */
export async function findPgTools(program: 'pg_dump' | 'pg_restore', env: Readonly<Record<string, string | undefined>>): Promise<PgTool[]> {
  const binDir = env['PG_BIN_DIR'];
  const candidates = binDir ? [path.join(binDir, program)] : [program, ...(await versionedBinDirs()).map((dir) => path.join(dir, program))];
  const found = new Map<string, PgTool>();
  for (const candidate of candidates) {
    try {
      const { stdout } = await execFileAsync(candidate, ['--version'], { timeout: 10_000 });
      const version = parseToolVersion(stdout);
      if (version !== undefined && !found.has(`${version.version}`)) found.set(version.version, { path: candidate, ...version });
    } catch {
      // not installed there
    }
  }
  return [...found.values()];
}

async function versionedBinDirs(): Promise<string[]> {
  const dirs: string[] = ['/usr/local/pgsql/bin'];
  const debian = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  dirs.push(...debian.map((major) => `/usr/lib/postgresql/${major}/bin`));
  for (const prefix of ['/opt/homebrew/opt', '/usr/local/opt']) {
    const kegs = await readdir(prefix).catch(() => [] as string[]);
    dirs.push(...kegs.filter((keg) => /^postgresql(@\d+)?$/.test(keg)).map((keg) => `${prefix}/${keg}/bin`));
  }
  return dirs;
}
