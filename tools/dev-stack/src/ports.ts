import { randomInt } from 'node:crypto';
import net from 'node:net';
import { PORT_OFFSETS } from './services.ts';
import { StackError } from './stack-error.ts';

/** A port the stack is about to listen on, with what it is for (for the error message). */
export interface PortClaim {
  /** TCP port on 127.0.0.1. */
  readonly port: number;
  /** What will listen there, e.g. `customer-server`. */
  readonly owner: string;
}

/** Whether something already listens on `127.0.0.1:port` (binding fails with EADDRINUSE). */
export async function isPortTaken(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(true);
      else reject(error);
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** Ports {@link freePort} gave out in this process: a second call must not return one before its server listens. */
const handedOut = new Set<number>();

/**
 * A TCP port on 127.0.0.1 in [min, max) that was free a moment ago and that no earlier call in this process gave
 * out. Default 20000-32000, below the ephemeral range, for the reason {@link freePortBase} gives: a port from
 * `listen(0)` can be taken by another process's outgoing connection or `listen(0)` before the server listens on it.
 */
export async function freePort(min = 20_000, max = 32_000): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = randomInt(min, max);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (!(await isPortTaken(port))) return port;
  }
  throw new Error(`no free port found in ${min}-${max}`);
}

/** What {@link assertPortsFree} tells the user to do by default. */
const DEFAULT_PORT_ADVICE = 'Stop whatever listens there (is another `npm start` running?) and try again.';

/**
 * Throws a {@link StackError} naming every claimed port that is already in use, followed by `advice` (default:
 * stop whatever listens there and try again).
 */
export async function assertPortsFree(claims: readonly PortClaim[], advice: string = DEFAULT_PORT_ADVICE): Promise<void> {
  const taken: PortClaim[] = [];
  for (const claim of claims) {
    if (await isPortTaken(claim.port)) taken.push(claim);
  }
  if (taken.length === 0) return;
  const list = taken.map((claim) => `${claim.port} (${claim.owner})`).join(', ');
  throw new StackError(`port${taken.length > 1 ? 's' : ''} ${list} ${taken.length > 1 ? 'are' : 'is'} already in use on 127.0.0.1. ${advice}`);
}

/**
 * A random port base in [min, max) whose stack listeners (base + each of PORT_OFFSETS) are all free right now: where a
 * test runs a whole `npm start` (`MCPFED_PORT_BASE`) beside anything else on the machine. Default 20000-32000: below
 * Linux's ephemeral range (32768 and up), where the OS hands out ports to outgoing connections and to `listen(0)`
 * of other tests, which could take one of the stack's ports between this check and the server's listen. Its ports
 * count as handed out: {@link freePort} in this process does not give one of them again.
 */
export async function freePortBase(min = 20_000, max = 32_000): Promise<number> {
  const offsets = Object.values(PORT_OFFSETS);
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = randomInt(min, max);
    const ports = offsets.map((offset) => base + offset);
    if (ports.some((port) => handedOut.has(port))) continue;
    for (const port of ports) handedOut.add(port);
    const taken = await Promise.all(ports.map((port) => isPortTaken(port)));
    if (!taken.some(Boolean)) return base;
  }
  throw new Error(`no free port base found in ${min}-${max}`);
}
