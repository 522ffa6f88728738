import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseServerCommand } from './run-server-command.ts';

const COMMANDS = ['serve', 'migrate', 'seed', 'generate-import'];

describe('parseServerCommand', () => {
  it('defaults to the first command with --stdio off', () => {
    expect(parseServerCommand([], COMMANDS)).toEqual({ command: 'serve', values: { stdio: false, help: false } });
  });

  it('parses a command with the built-in and the extra flags', () => {
    const options = { count: { type: 'string' }, format: { type: 'string', default: 'jsonl' } } as const;
    expect(parseServerCommand(['generate-import', '--count', '5'], COMMANDS, options)).toEqual({
      command: 'generate-import',
      values: { stdio: false, help: false, count: '5', format: 'jsonl' },
    });
    expect(parseServerCommand(['serve', '--stdio'], COMMANDS)).toEqual({ command: 'serve', values: { stdio: true, help: false } });
  });

  it('asks for the usage with exit 0 on --help and 64 on an unknown command or a second positional', () => {
    expect(parseServerCommand(['--help'], COMMANDS)).toEqual({ exitCode: 0 });
    expect(parseServerCommand(['migrate', '--help'], COMMANDS)).toEqual({ exitCode: 0 });
    expect(parseServerCommand(['drop'], COMMANDS)).toEqual({ exitCode: 64 });
    expect(parseServerCommand(['seed', 'twice'], COMMANDS)).toEqual({ exitCode: 64 });
  });

  it('throws on a flag it does not know', () => {
    expect(() => parseServerCommand(['--count', '3'], COMMANDS)).toThrow(/Unknown option '--count'/);
  });
});

const MODULE = fileURLToPath(new URL('./run-server-command.ts', import.meta.url));
const NODE = process.execPath;

/** Runs `runServerCommand` in a child process (it exits the process) with a serve that fails or counts. */
function run(argv: string[]) {
  const env = { LOG_LEVEL: 'error', DATABASE_URL: 'postgres://127.0.0.1:1/x' };
  const script = `
    import { z } from 'zod';
    import { runServerCommand } from ${JSON.stringify(MODULE)};
    const schema = z.object({ LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']), DATABASE_URL: z.string() });
    void runServerCommand({
      name: 'demo-server',
      usage: 'usage: demo-server [serve | migrate | seed [--count N]]',
      configSchema: schema,
      argv: ${JSON.stringify(argv)},
      env: ${JSON.stringify(env)},
      options: { count: { type: 'string' } },
      migrate: { migrations: {}, readOnlyRole: async () => {} },
      seed: async ({ count }) => { process.stdout.write('seed ' + count(10) + '\\n'); },
      serve: async (_context, transport) => { throw new Error('cannot serve over ' + transport); },
    });`;
  const result = spawnSync(NODE, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('runServerCommand', () => {
  it('prints the usage and exits 0 on --help', () => {
    expect(run(['--help'])).toEqual({ status: 0, stdout: '', stderr: 'usage: demo-server [serve | migrate | seed [--count N]]\n' });
  });

  it('runs seed with the parsed --count', () => {
    expect(run(['seed', '--count', '3'])).toEqual({ status: 0, stdout: 'seed 3\n', stderr: '' });
  });

  it('exits 64 with the usage on a bad --count', () => {
    expect(run(['seed', '--count', '0'])).toEqual({
      status: 64,
      stdout: '',
      stderr: '--count must be a positive integer, got "0"\nusage: demo-server [serve | migrate | seed [--count N]]\n',
    });
  });

  it('writes a failure as one line "<name>: <message>" and exits 1', () => {
    expect(run(['serve', '--stdio'])).toEqual({ status: 1, stdout: '', stderr: 'demo-server: cannot serve over stdio\n' });
  });
});
