import { setTimeout as sleep } from 'node:timers/promises';
import { readPidFile } from '@mcpfed/dev-stack';
import type { Fault, FaultContext, FaultWindow } from './fault.ts';
import { FaultSkipped } from './fault.ts';

/**
 * `server-kill`: SIGKILL to one server (`--kill`, default order) in the middle of its calls, found through the pid
 * file the dev stack keeps; over once the stack has started it again (a new pid) and it answers `/readyz`.
 */
export const serverKill: Fault = {
  name: 'server-kill',
  description: 'one server killed with SIGKILL mid-call; the dev stack starts it again',
  async inject(context: FaultContext): Promise<FaultWindow> {
    const { target, settings } = context;
    const name = settings.killServer;
    const pidFile = target.pidFiles[name];
    const pid = pidFile === undefined ? undefined : readPidFile(pidFile);
    if (pidFile === undefined || pid === undefined) {
      throw new FaultSkipped(`no pid file for ${name}: only a stack run by npm start (which restarts crashed servers) can be killed`);
    }
    context.log(`SIGKILL to ${name} (pid ${pid})`);
    const startedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    const deadline = startedAt + settings.recoverTimeoutMs;
    while (Date.now() < deadline) {
      const now = readPidFile(pidFile);
      if (now !== undefined && now !== pid && (await ready(`${target.serverUrls[name]}/readyz`))) {
        return { startedAt, endedAt: Date.now(), detail: `SIGKILL to ${name} (pid ${pid}); back as pid ${now}` };
      }
      await sleep(100);
    }
    return { startedAt, endedAt: deadline, detail: `SIGKILL to ${name} (pid ${pid}); not back within ${settings.recoverTimeoutMs / 1000} s` };
  },
};

async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}
