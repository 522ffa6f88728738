import { describe, expect, it } from 'vitest';
import { cpuSecondsOf } from './process-cpu.ts';

describe.runIf(process.platform === 'linux')('cpuSecondsOf', () => {
  it('counts the CPU a process burns, as the process itself sees it', () => {
    const before = cpuSecondsOf([process.pid]) as number;
    const own = process.cpuUsage();
    // Spin until this process has used 300 ms of CPU, however long a busy machine makes that take.
    let spin = 0;
    for (let used = 0; used < 300_000; spin++) {
      if (spin % 10_000 === 0) {
        const delta = process.cpuUsage(own);
        used = delta.user + delta.system;
      }
    }
    const ownDelta = process.cpuUsage(own);
    const seen = (cpuSecondsOf([process.pid]) as number) - before;
    // Both count every thread of the process; /proc in 10 ms ticks, so allow a few ticks either way.
    expect(seen).toBeGreaterThan(0.25);
    expect(Math.abs(seen - (ownDelta.user + ownDelta.system) / 1e6)).toBeLessThan(0.05);
  });

  it('knows no CPU of a process that is not there', () => {
    expect(cpuSecondsOf([process.pid, 2 ** 22 + 1])).toBeUndefined();
  });
});
