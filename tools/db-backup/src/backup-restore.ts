import { execFile } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { chooseTool, findPgTools, parseToolVersion, PgToolError } from './pg-client-tools.ts';
import type { PgTool } from './pg-client-tools.ts';
import { UsageError } from './database-url.ts';
import { serverMajorVersion, userRelationCount } from './server-version.ts';

const execFileAsync = promisify(execFile);

/** What {@link backupDatabase} wrote. */
export interface BackupResult {
  readonly file: string;
  readonly bytes: number;
  /** The pg_dump that wrote it. */
  readonly tool: PgTool;
  readonly serverMajor: number;
}

/**
 * Dumps the database at `url` into `file` in pg_dump's custom format (compressed, restorable table by table),
 * with a pg_dump at least as new as the server (see {@link chooseTool}). Creates the file's directory.
 */
export async function backupDatabase(options: { url: string; file: string; env: Readonly<Record<string, string | undefined>> }): Promise<BackupResult> {
  const serverMajor = await serverMajorVersion(options.url);
  const tool = chooseTool('pg_dump', await findPgTools('pg_dump', options.env), serverMajor, 'the database server');
  await mkdir(path.dirname(options.file), { recursive: true });
  await run(tool.path, ['--format=custom', '--compress=6', `--file=${options.file}`, `--dbname=${options.url}`]);
  return { file: options.file, bytes: (await stat(options.file)).size, tool, serverMajor };
}

/** What {@link restoreDatabase} did. */
export interface RestoreResult {
  /** The pg_restore that read the archive. */
  readonly tool: PgTool;
  /** Version of the pg_dump that wrote the archive. */
  readonly dumpedBy: string;
}

/**
 * Restores a custom-format archive into the database at `url` in one transaction (all or nothing), without
 * owners and privileges (the target's roles may differ: run the app's `migrate` afterwards, which sets up its
 * read-only SQL role again). Refuses a target that already holds tables, views or sequences unless `clean`
 * (then existing objects of the archive are dropped first).
 */
export async function restoreDatabase(options: {
  url: string;
  file: string;
  clean: boolean;
  env: Readonly<Record<string, string | undefined>>;
}): Promise<RestoreResult> {
  if (
    !(await stat(options.file).then(
      (s) => s.isFile(),
      () => false,
    ))
  )
    throw new UsageError(`--file ${options.file} is not a file`);
  const found = await findPgTools('pg_restore', options.env);
  const newest = [...found].sort((a, b) => b.major - a.major)[0];
  if (newest === undefined) throw new PgToolError('no pg_restore was found: install the PostgreSQL client or point PG_BIN_DIR at its bin directory');
  const listing = await run(newest.path, ['--list', options.file]).catch((error: unknown) => {
    throw new PgToolError(`${newest.path} (${newest.version}) cannot read ${options.file}: ${error instanceof Error ? error.message : String(error)}`);
  });
  const dumpedBy = /Dumped by pg_dump version:\s*(\S+)/.exec(listing)?.[1] ?? '';
  const dumpMajor = parseToolVersion(`(PostgreSQL) ${dumpedBy}`)?.major;
  if (dumpMajor === undefined) throw new PgToolError(`${options.file} is not a pg_dump custom-format archive`);
  const tool = chooseTool('pg_restore', found, dumpMajor, 'the archive (written by pg_dump)');
  if (!options.clean && (await userRelationCount(options.url)) > 0) {
    throw new UsageError('the target database is not empty: restore into a fresh database, or pass --clean to replace what the archive holds');
  }
  await run(tool.path, [
    '--exit-on-error',
    '--single-transaction',
    '--no-owner',
    '--no-privileges',
    ...(options.clean ? ['--clean', '--if-exists'] : []),
    `--dbname=${options.url}`,
    options.file,
  ]);
  return { tool, dumpedBy };
}

async function run(command: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, [...args], { maxBuffer: 64 * 1024 * 1024, timeout: 3_600_000 });
    return stdout;
  } catch (error) {
    const { stderr, code } = error as { stderr?: string; code?: number | string };
    // Connection strings carry passwords: never echo the command line (error.message does), only what the tool said.
    throw new Error(`${path.basename(command)} failed: ${stderr?.trim() || `exit status ${String(code)}`}`);
  }
}
