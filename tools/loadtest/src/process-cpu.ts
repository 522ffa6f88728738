import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux architecture Node runs on). */
const USER_HZ = 100;

/**
 * CPU seconds (user + system, every thread) the processes `pids` have used so far, from `/proc/<pid>/stat`; undefined
 * where /proc is not there (not Linux) or a process is gone. Resolution 10 ms: meant for differences over seconds.
 */
export function cpuSecondsOf(pids: readonly number[]): number | undefined {
  let ticks = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return undefined;
    }
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 (utime) and 15 (stime) of proc(5), i.e. the 12th and 13th after the name.
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return Number.isFinite(ticks) ? ticks / USER_HZ : undefined;
}
