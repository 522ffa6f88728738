import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { freePort } from '@mcpfed/testing';

/** A JSON-RPC `tools/call` as the proxy sees it. */
export interface ProxiedCall {
  tool: string;
  arguments: Record<string, unknown>;
}

/** A local HTTP proxy in front of one MCP server that can refuse chosen tool calls with 503, as a broken network would. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>/mcp`. */
  readonly url: string;
  /** Where requests go (`http://127.0.0.1:<port>`), set once the upstream runs. */
  target: string;
  /** Decides per call: true answers 503 without forwarding. Default: forward everything. */
  refuse: (call: ProxiedCall) => boolean;
  /**
   * Per forwarded call: a promise the answer waits for once the upstream gave it (the call took effect, its answer
   * is late), or undefined to answer at once. Default: at once.
   */
  hold: (call: ProxiedCall) => Promise<void> | undefined;
  /** The tool calls forwarded and refused so far, in order. */
  readonly log: Array<ProxiedCall & { refused: boolean }>;
  close(): Promise<void>;
}

const FORWARDED = ['authorization', 'content-type', 'accept', 'mcp-protocol-version', 'traceparent'];

/** Starts the proxy on a free port. */
export async function startFaultProxy(): Promise<FaultProxy> {
  const port = await freePort();
  const proxy: FaultProxy = {
    url: `http://127.0.0.1:${port}/mcp`,
    target: '',
    refuse: () => false,
    hold: () => undefined,
    log: [],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const call = toolCallOf(body);
      const refused = call !== undefined && proxy.refuse(call);
      if (call !== undefined) proxy.log.push({ ...call, refused });
      if (refused) {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('injected outage');
        return;
      }
      forward(proxy.target, req.url ?? '/mcp', req.method ?? 'POST', req.headers, body).then(
        async (answer) => {
          const body = Buffer.from(await answer.arrayBuffer());
          const held = call === undefined ? undefined : proxy.hold(call);
          if (held !== undefined) await held;
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(body);
        },
        () => res.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return proxy;
}

function toolCallOf(body: Buffer): ProxiedCall | undefined {
  try {
    const message = JSON.parse(body.toString('utf8')) as { method?: string; params?: { name?: string; arguments?: Record<string, unknown> } };
    if (message.method !== 'tools/call' || typeof message.params?.name !== 'string') return undefined;
    return { tool: message.params.name, arguments: message.params.arguments ?? {} };
  } catch {
    return undefined;
  }
}

function forward(target: string, url: string, method: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Response> {
  const sent: Record<string, string> = {};
  for (const name of FORWARDED) {
    const value = headers[name];
    if (typeof value === 'string') sent[name] = value;
  }
  return fetch(`${target}${url}`, { method, headers: sent, ...(body.length > 0 ? { body } : {}) });
}
