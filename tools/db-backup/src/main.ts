/**
 * Backups of one domain's database (pg_dump / pg_restore, custom format):
 *   npm run db:backup -- --domain customer [--out FILE]
 *   npm run db:restore -- --domain customer --file FILE [--target-url URL] [--clean]
 * The database is DATABASE_URL_<DOMAIN> (as for npm start); a restore goes there too unless --target-url names
 * another one. The client programs are matched to the server's version (PG_BIN_DIR overrides the search).
 * Exit codes: 0 done, 1 failed, 2 bad arguments or settings.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backupDatabase, restoreDatabase } from './backup-restore.ts';
import { databaseUrlOfDomain, UsageError } from './database-url.ts';

const USAGE = `usage: npm run db:backup -- --domain <domain> [--out FILE]
       npm run db:restore -- --domain <domain> --file FILE [--target-url postgres://...] [--clean]
  --domain      customer, order, product, payment (reads DATABASE_URL_<DOMAIN>)
  --out         archive to write (default .data/backups/<domain>-<UTC time>.dump)
  --file        archive to restore
  --target-url  database to restore into (default DATABASE_URL_<DOMAIN>); it must be empty unless --clean
  --clean       drop the archive's objects in the target first`;

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

function timestamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    allowPositionals: false,
    options: {
      domain: { type: 'string' },
      out: { type: 'string' },
      file: { type: 'string' },
      'target-url': { type: 'string' },
      clean: { type: 'boolean', default: false },
    },
  });
  if (values.domain === undefined) throw new UsageError('--domain is required');
  if (command === 'backup') {
    const url = databaseUrlOfDomain(values.domain, process.env);
    const file = path.resolve(values.out ?? path.join(REPO_ROOT, '.data', 'backups', `${values.domain}-${timestamp(new Date())}.dump`));
    const result = await backupDatabase({ url, file, env: process.env });
    process.stdout.write(
      `${JSON.stringify({ domain: values.domain, file: result.file, bytes: result.bytes, server_major: result.serverMajor, pg_dump: result.tool.version })}\n`,
    );
  } else if (command === 'restore') {
    if (values.file === undefined) throw new UsageError('--file is required');
    const url = values['target-url'] ?? databaseUrlOfDomain(values.domain, process.env);
    const result = await restoreDatabase({ url, file: path.resolve(values.file), clean: values.clean, env: process.env });
    process.stdout.write(
      `${JSON.stringify({ domain: values.domain, file: path.resolve(values.file), dumped_by: result.dumpedBy, pg_restore: result.tool.version })}\n`,
    );
  } else {
    throw new UsageError(`unknown command ${command ?? '(none)'}: expected backup or restore`);
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
  process.stderr.write(`db-backup: ${error instanceof Error ? error.message : String(error)}\n${usage ? `${USAGE}\n` : ''}`);
  process.exitCode = usage ? 2 : 1;
}
