import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commonServerEnv } from './common-server-env.ts';
import { loadConfigOrExit } from './load-config-or-exit.ts';

const NODE = fileURLToPath(new URL('../../../../node_modules/.bin/node', import.meta.url));
const INDEX = new URL('./index.ts', import.meta.url).href;
const PROJECT_DIR = fileURLToPath(new URL('..', import.meta.url));

// What an app's main.ts does: parse once at start, then use the config.
const SCRIPT = `
const { z } = await import('zod');
const { loadConfigOrExit, commonServerEnv, url } = await import(${JSON.stringify(INDEX)});
const schema = z.object({ ...commonServerEnv(8081), DATABASE_URL: url({ protocols: ['postgres', 'postgresql'] }) });
const config = loadConfigOrExit(schema, process.env);
process.stdout.write(JSON.stringify({ port: config.PORT, db: config.DATABASE_URL }));
`;

function runMain(env: Record<string, string>) {
  return spawnSync(NODE, ['--input-type=module', '--eval', SCRIPT], { cwd: PROJECT_DIR, env, encoding: 'utf8', timeout: 20_000 });
}

describe('loadConfigOrExit', () => {
  it('writes the one line to stderr and exits with 78 on a bad environment', () => {
    const child = runMain({ PORT: 'abc', DB_PASSWORD: 'hunter2' });
    expect(child.stderr).toBe('invalid configuration: PORT: expected an integer between 1 and 65535 (got "abc"); DATABASE_URL: required\n');
    expect(child.status).toBe(78);
    expect(child.stdout).toBe('');
  });

  it('returns the parsed config on a good environment', () => {
    const child = runMain({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/customer' });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ port: 8081, db: 'postgres://postgres@127.0.0.1:5432/customer' });
  });

  it('in-process, returns the config without writing anything', () => {
    const lines: string[] = [];
    const config = loadConfigOrExit(z.object(commonServerEnv(8083)), { PORT: '9999' }, (line) => lines.push(line));
    expect(config.PORT).toBe(9999);
    expect(lines).toEqual([]);
  });
});
