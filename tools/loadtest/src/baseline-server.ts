/**
 * The bare baseline of `npm run bench`: `node:http` + `pg` (a pool of 10) answering a JSON-RPC `tools/call` with
 * the same point read as customer_get — the customer row, its order statistics and its addresses in one query,
 * as the customer store's `findProfile` does. No MCP SDK, no auth, no validation beyond the id: the ceiling a
 * point-read tool is measured against (docs/architecture.md §10).
 *
 * Run as `node tools/loadtest/src/baseline-server.ts` with DATABASE_URL, PORT (default 0 = any) and HOST
 * (default 127.0.0.1). Logs one JSON line `{ msg: 'listening', port }` on stderr when it accepts requests.
 * `GET /healthz` answers 200 once the database answers.
 */
import http from 'node:http';
import pg from 'pg';

/** The statement of the customer store's `findProfile` by id (kysely's `jsonArrayFrom` for the addresses). */
export const CUSTOMER_PROFILE_SQL = `
select c.id, c.email, c.first_name, c.last_name, c.phone, c.tier, c.status, c.status_reason, c.version,
       c.created_at, c.updated_at, c.anonymized_at,
       coalesce(s.order_count, 0) as order_count,
       coalesce(s.lifetime_value_amount, 0)::text as lifetime_value_amount,
       coalesce(s.currency, 'EUR') as currency,
       s.last_order_at,
       (select coalesce(json_agg(agg), '[]') from (
          select a.* from addresses as a where a.customer_id = c.id
          order by a.is_default desc, a.created_at, a.id) as agg) as addresses
from customers as c
left join customer_order_stats as s on s.customer_id = c.id
where c.id = $1`;

interface ProfileRow {
  id: string;
  order_count: number;
  lifetime_value_amount: string;
  currency: string;
  last_order_at: Date | null;
  [column: string]: unknown;
}

const MAX_BODY_BYTES = 1 << 20;

/** Options of {@link createBaselineServer}. */
export interface BaselineServerOptions {
  /** The customer database. */
  readonly databaseUrl: string;
  /** Pool size (default 10). */
  readonly poolSize?: number;
}

/** The baseline HTTP server (not yet listening) and its pool. */
export interface BaselineServer {
  /** The HTTP server; call `listen`. */
  readonly server: http.Server;
  /** Closes the server and the pool. */
  close(): Promise<void>;
}

/** Creates the baseline server. */
export function createBaselineServer(options: BaselineServerOptions): BaselineServer {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
  pool.on('error', () => undefined);

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      pool.query('SELECT 1').then(
        () => send(res, 200, '{"status":"ok"}'),
        () => send(res, 503, '{"status":"unavailable"}'),
      );
      return;
    }
    if (req.method !== 'POST') {
      send(res, 405, '{"error":"method not allowed"}');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return send(res, 413, rpcError(null, -32600, 'request too large'));
      void handleCall(pool, Buffer.concat(chunks).toString('utf8')).then(({ status, body }) => send(res, status, body));
    });
  });

  return {
    server,
    async close(): Promise<void> {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.end();
    },
  };
}

async function handleCall(pool: pg.Pool, text: string): Promise<{ status: number; body: string }> {
  let request: { id?: unknown; method?: unknown; params?: { name?: unknown; arguments?: { id?: unknown } } };
  try {
    request = JSON.parse(text) as typeof request;
  } catch {
    return { status: 400, body: rpcError(null, -32700, 'parse error') };
  }
  const id = typeof request.id === 'string' || typeof request.id === 'number' ? request.id : null;
  if (request.method !== 'tools/call' || request.params?.name !== 'customer_get') {
    return { status: 200, body: rpcError(id, -32602, 'unknown tool') };
  }
  const customerId = request.params.arguments?.id;
  if (typeof customerId !== 'string') return { status: 200, body: toolError(id, 'VALIDATION_FAILED', 'id is required') };
  try {
    const { rows } = await pool.query<ProfileRow>(CUSTOMER_PROFILE_SQL, [customerId]);
    const row = rows[0];
    if (row === undefined) return { status: 200, body: toolError(id, 'NOT_FOUND', `No customer ${customerId}.`) };
    const { order_count, lifetime_value_amount, currency, last_order_at, ...customer } = row;
    const structured = {
      ...customer,
      order_stats: {
        order_count,
        lifetime_value: { amount: Number(lifetime_value_amount), currency },
        last_order_at,
      },
    };
    const json = JSON.stringify(structured);
    return {
      status: 200,
      body: `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"content":[{"type":"text","text":${JSON.stringify(json)}}],"structuredContent":${json}}}`,
    };
  } catch {
    return { status: 200, body: toolError(id, 'INTERNAL', 'query failed') };
  }
}

function toolError(id: string | number | null, code: string, message: string): string {
  const error = { code, message, retryable: false };
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    result: { content: [{ type: 'text', text: JSON.stringify({ error }) }], structuredContent: { error }, isError: true },
  });
}

function rpcError(id: string | number | null, code: number, message: string): string {
  return JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } });
}

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

if (import.meta.main) {
  const databaseUrl = process.env['DATABASE_URL'];
  if (databaseUrl === undefined || databaseUrl === '') {
    process.stderr.write('baseline-server: DATABASE_URL is required\n');
    process.exit(2);
  }
  const port = Number(process.env['PORT'] ?? '0');
  const host = process.env['HOST'] ?? '127.0.0.1';
  const baseline = createBaselineServer({ databaseUrl });
  baseline.server.listen(port, host, () => {
    const address = baseline.server.address();
    const actualPort = typeof address === 'object' && address !== null ? address.port : port;
    process.stderr.write(`${JSON.stringify({ level: 30, time: Date.now(), msg: 'listening', port: actualPort })}\n`);
  });
  const stop = (): void => void baseline.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
