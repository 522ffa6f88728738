import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORT_OFFSETS } from './services.ts';
import { assertPortsFree, freePort, freePortBase, isPortTaken } from './ports.ts';
import { StackError } from './stack-error.ts';

describe('ports', () => {
  const server = net.createServer();
  let busy = 0;
  let free = 0;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    busy = (server.address() as net.AddressInfo).port;
    free = await freePort();
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('tells a taken port from a free one', async () => {
    expect(await isPortTaken(busy)).toBe(true);
    expect(await isPortTaken(free)).toBe(false);
  });

  it('names the taken port and what wanted it', async () => {
    const attempt = assertPortsFree([
      { port: free, owner: 'dev issuer' },
      { port: busy, owner: 'customer-server' },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(StackError);
    await expect(attempt).rejects.toThrow(
      `port ${busy} (customer-server) is already in use on 127.0.0.1. Stop whatever listens there (is another \`npm start\` running?) and try again.`,
    );
  });

  it('ends the message with the advice it is given', async () => {
    await expect(assertPortsFree([{ port: busy, owner: 'dev issuer' }], 'Or set MCPFED_PORT_BASE.')).rejects.toThrow(
      new StackError(`port ${busy} (dev issuer) is already in use on 127.0.0.1. Or set MCPFED_PORT_BASE.`),
    );
  });

  it('gives ports below the ephemeral range, never the same one twice in a process, even before any server listens', async () => {
    // 300 draws from 12000 ports repeat one with a probability of about 97% unless handed-out ports are skipped.
    const ports = await Promise.all(Array.from({ length: 300 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(32_000);
    }
    expect(ports).not.toContain(free);
  });

  it('does not give out a port of a port base it gave out', async () => {
    const base = await freePortBase();
    for (const offset of Object.values(PORT_OFFSETS)) {
      await expect(freePort(base + offset, base + offset + 1)).rejects.toThrow(`no free port found in ${base + offset}-${base + offset + 1}`);
    }
  });
});
