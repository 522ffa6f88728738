import { request as httpRequest, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const LOCAL_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/** A local proxy adding a bearer token to every request. */
export interface AuthProxy {
  /** Base URL, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 and passes every request to `target` (an `http://` base URL) with `Authorization: Bearer
 * <token>` added: the conformance suite's client cannot send a token. `Host` becomes the target's when the client
 * sent a local one (the endpoint derives its resource URL, the token's audience, from it); a foreign `Host` and every
 * `Origin` go on as sent, so the endpoint's own DNS-rebinding guard is what the suite sees.
 *
 * Only `http:` targets: the proxy speaks plain HTTP upstream, so an `https:` target would get the token in clear
 * text on its port (or 80); it throws instead.
 */
export async function startAuthProxy(target: string, token: string): Promise<AuthProxy> {
  const base = new URL(target);
  if (base.protocol !== 'http:') {
    throw new Error(
      `the conformance auth proxy forwards only to http:// targets (it speaks plain HTTP and would send the token unencrypted), not ${base.protocol}// (${base.origin})`,
    );
  }
  const server = createServer((req, res) => {
    const upstream = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, ...(LOCAL_HOST.test(req.headers.host ?? '') ? { host: base.host } : {}), authorization: `Bearer ${token}` },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.once('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.once('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
