import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@mcpfed/telemetry';

/** How long a closing server keeps accepting connections, in milliseconds. */
const LAME_DUCK_MS = 300;
/** How long already open connections may still bring the request a client sent before the signal, in milliseconds. */
const REQUEST_GRACE_MS = 250;

/**
 * Starts `server` listening and returns its base URL (no trailing slash): `publicUrl` when given, else
 * `http://<bound address>:<port>` (port 0 picks a free one).
 */
export async function listenHttp(server: Server, options: { port: number; host?: string | undefined; publicUrl?: string | undefined }): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return (options.publicUrl ?? `http://${hostForUrl}:${address.port}`).replace(/\/$/, '');
}

/**
 * The graceful end of an HTTP listener, once its owner answers readiness with 503 and responses with
 * `Connection: close`: keeps accepting for a short lame-duck period, stops listening, closes idle connections once
 * nothing is in flight, and after `timeoutMs` closes every connection still open.
 */
export async function drainHttp(server: Server, options: { inFlight: () => number; timeoutMs: number; logger: Logger }): Promise<void> {
  // Lame-duck period: connections a client opened just before the signal (still in the accept queue) are served
  // instead of reset when the listening socket closes.
  await new Promise((resolve) => setTimeout(resolve, Math.min(LAME_DUCK_MS, options.timeoutMs / 4)));
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Connections already open may still carry a request the client sent before the signal: serve it, and only
  // close connections once nothing is in flight and a short grace has passed for such requests to arrive
  // (closing an accepted connection before its request is read resets it).
  const graceUntil = Date.now() + REQUEST_GRACE_MS;
  const sweeper = setInterval(() => {
    if (options.inFlight() === 0 && Date.now() >= graceUntil) server.closeIdleConnections();
  }, 20);
  let timedOut = false;
  await Promise.race([closed, new Promise<void>((resolve) => setTimeout(() => ((timedOut = true), resolve()), options.timeoutMs).unref())]);
  clearInterval(sweeper);
  if (timedOut) {
    options.logger.warn({ in_flight: options.inFlight() }, 'shutdown deadline reached with requests still open; closing their connections');
    server.closeAllConnections();
    await closed;
  }
}
