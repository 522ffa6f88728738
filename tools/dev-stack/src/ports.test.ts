import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPortsFree, freePort, isPortTaken } from './ports.ts';
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
});
