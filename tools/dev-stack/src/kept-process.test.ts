import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeptProcess } from './kept-process.ts';
import { freePort } from './ports.ts';
import { readPidFile } from './stack-file.ts';
import { Supervisor } from './supervisor.ts';
import type { ProcessSpec } from './supervisor.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mcpfed-kept-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FAST = { initialDelayMs: 100, maxDelayMs: 400, stableAfterMs: 60_000, maxFastFailures: 3 };

function server(port: number): ProcessSpec {
  const script = `console.log('serving'); require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1');`;
  return { name: 'stub', color: 'cyan', command: process.execPath, args: ['-e', script], cwd: process.cwd() };
}

function setup(spec: ProcessSpec, port: number, policy = FAST): { kept: KeptProcess; notes: string[]; pidFile: string } {
  const notes: string[] = [];
  const pidFile = path.join(dir, `${port}.pid`);
  const supervisor = new Supervisor({ print: () => undefined, ansi: false, nameWidth: 6 });
  const kept = new KeptProcess(supervisor, {
    spec,
    readyUrl: `http://127.0.0.1:${port}/readyz`,
    readyTimeoutMs: 10_000,
    note: (line) => notes.push(line),
    pidFile,
    policy,
  });
  return { kept, notes, pidFile };
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('KeptProcess', () => {
  it('starts a crashed server again after a backoff, says so, and records the new pid', async () => {
    const port = await freePort();
    const { kept, notes, pidFile } = setup(server(port), port);
    await kept.start();
    const first = kept.pid as number;
    expect(readPidFile(pidFile)).toBe(first);

    process.kill(first, 'SIGKILL');
    await until(() => kept.restarts === 1, 'the restart');
    expect(kept.pid).not.toBe(first);
    expect(readPidFile(pidFile)).toBe(kept.pid);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
    expect(notes[0]).toMatch(
      /^stub exited unexpectedly \(signal SIGKILL\) after \d+\.\d s; restarting it in 0\.1 s \(attempt 1 of 3\)\. Last output:\n {4}stub {3}\| serving$/,
    );
    expect(notes[1]).toMatch(new RegExp(`^stub is back \\(pid ${kept.pid}, ready \\d+\\.\\d s after its restart\\)$`));

    await kept.stop();
    expect(kept.pid).toBeUndefined();
    expect(readPidFile(pidFile)).toBeUndefined();
  });

  it('doubles the delay with each fast failure and leaves the server down after the last one, with a clear message', async () => {
    const port = await freePort();
    // Ready at once, then crashes with exit code 3 a moment later: every run is a fast failure.
    const script = `console.error('cannot open the ledger'); require('node:http').createServer((q, s) => s.end()).listen(${port}, '127.0.0.1', () => setTimeout(() => process.exit(3), 1000));`;
    const { kept, notes } = setup({ ...server(port), args: ['-e', script] }, port);
    await kept.start();
    await until(() => notes.some((line) => line.includes('left down')), 'the give-up message');
    const delays = notes
      .filter((line) => line.includes('restarting it in'))
      .map((line) => /restarting it in (\d+\.\d) s \(attempt (\d) of 3\)/.exec(line)?.slice(1));
    expect(delays).toEqual([
      ['0.1', '1'],
      ['0.2', '2'],
    ]);
    expect(notes.at(-1)).toMatch(
      /^stub exited unexpectedly \(exit code 3\) after \d+\.\d s; it failed 3 times in a row within 60\.0 s of starting, so it is left down \(the rest of the stack keeps running\)\. Fix the cause, then restart npm start\. Last output:\n {4}stub {3}\| cannot open the ledger$/,
    );
    expect(kept.pid).toBeUndefined();
    await kept.stop();
  });

  it('cancels a pending restart when the stack stops', async () => {
    const port = await freePort();
    const { kept, notes } = setup(server(port), port, { ...FAST, initialDelayMs: 60_000, maxDelayMs: 60_000 });
    await kept.start();
    process.kill(kept.pid as number, 'SIGKILL');
    await until(() => notes.length === 1, 'the crash note');
    const started = Date.now();
    await kept.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(kept.restarts).toBe(0);
    expect(kept.pid).toBeUndefined();
  });
});
