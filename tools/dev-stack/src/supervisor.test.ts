import { describe, expect, it } from 'vitest';
import { StackError } from './stack-error.ts';
import { freePort } from './ports.ts';
import { Supervisor, waitForReady } from './supervisor.ts';
import type { ProcessSpec } from './supervisor.ts';

function nodeSpec(name: string, script: string): ProcessSpec {
  return { name, color: 'cyan', command: process.execPath, args: ['-e', script], cwd: process.cwd() };
}

function collect(): { lines: string[]; supervisor: Supervisor } {
  const lines: string[] = [];
  return { lines, supervisor: new Supervisor({ print: (line) => lines.push(line), ansi: false, nameWidth: 6 }) };
}

describe('Supervisor', () => {
  it('prints every stdout and stderr line with the name prefix, formatting pino records', async () => {
    const { lines, supervisor } = collect();
    const script = `console.error(JSON.stringify({ level: 30, time: 0, msg: 'migrated', count: 3 })); console.log('plain');`;
    await supervisor.run(nodeSpec('cust', script), 'migrate');
    expect(lines).toHaveLength(2);
    expect(lines).toContain('cust   | plain');
    expect(lines.find((line) => line.includes('migrated'))).toMatch(/^cust {3}\| \d\d:\d\d:\d\d\.\d{3} INFO {2}migrated count=3$/);
  });

  it('fails a setup command that exits non-zero with its last lines', async () => {
    const { supervisor } = collect();
    const attempt = supervisor.run(nodeSpec('cust', `console.error('relation "x" does not exist'); process.exit(3);`), 'migrate');
    await expect(attempt).rejects.toBeInstanceOf(StackError);
    await expect(attempt).rejects.toThrow('cust: migrate failed (exit code 3). Last output:\n    cust   | relation "x" does not exist');
  });

  it('stops a child that ignores SIGTERM with SIGKILL after the grace period', async () => {
    const { supervisor } = collect();
    const child = supervisor.start(nodeSpec('stub', `process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);`));
    // Only once it printed has it installed its SIGTERM handler.
    while (!child.tail.lines().some((line) => line.endsWith('| up'))) await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    expect(await child.stop(500)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(child.running).toBe(false);
  });

  it('stops a well-behaved child with SIGTERM', async () => {
    const { supervisor } = collect();
    const child = supervisor.start(nodeSpec('stub', `setInterval(() => {}, 1000);`));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await supervisor.stopAll(5_000);
    expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });
});

describe('waitForReady', () => {
  it('resolves once the URL answers 200', async () => {
    const { supervisor } = collect();
    const port = await freePort();
    const script = `let n = 0; require('node:http').createServer((q, s) => { s.statusCode = ++n > 2 ? 200 : 503; s.end(); }).listen(${port}, '127.0.0.1');`;
    const child = supervisor.start(nodeSpec('stub', script));
    try {
      await waitForReady(child, { url: `http://127.0.0.1:${port}/readyz`, timeoutMs: 10_000, intervalMs: 50 });
    } finally {
      await child.stop();
    }
  });

  it('gives up after the timeout with the last status and log lines', async () => {
    const { supervisor } = collect();
    const port = await freePort();
    const script = `console.error('db not reachable'); require('node:http').createServer((q, s) => { s.statusCode = 503; s.end(); }).listen(${port}, '127.0.0.1');`;
    const child = supervisor.start(nodeSpec('stub', script));
    try {
      await expect(waitForReady(child, { url: `http://127.0.0.1:${port}/readyz`, timeoutMs: 1_000, intervalMs: 50 })).rejects.toThrow(
        `stub was not ready within 1 s: http://127.0.0.1:${port}/readyz gave HTTP 503. Last output:\n    stub   | db not reachable`,
      );
    } finally {
      await child.stop();
    }
  });

  it('fails at once when the child exits before it is ready', async () => {
    const { supervisor } = collect();
    const child = supervisor.start(nodeSpec('stub', `console.error('missing DATABASE_URL'); process.exit(1);`));
    await expect(waitForReady(child, { url: 'http://127.0.0.1:9/readyz', timeoutMs: 10_000, intervalMs: 50 })).rejects.toThrow(
      'stub exited before it was ready (exit code 1). Last output:\n    stub   | missing DATABASE_URL',
    );
  });
});
