import net from 'node:net';

/** What went over the connections of one {@link PgCounter} (client to server, PostgreSQL wire protocol v3). */
export interface PgCounts {
  /** Round trips: simple queries (`Q`) plus extended-protocol syncs (`S`): each one the client waits for. */
  roundTrips: number;
  /** Statements: simple queries plus extended-protocol executes (`E`). */
  statements: number;
  /** Transactions opened explicitly (`BEGIN` / `START TRANSACTION`). */
  begins: number;
  /** Statements sent outside an explicit transaction (each its own transaction). */
  autocommits: number;
  /** Connections opened. */
  connections: number;
}

/**
 * A TCP proxy in front of PostgreSQL that counts what its clients send (pg_stat_statements is not preloaded on
 * this server, and pg_stat_database counts transactions only). Servers get its URL as their DATABASE_URL; it
 * forwards bytes unchanged and parses the client's stream only to count messages. TLS is not supported (the
 * bench's servers do not ask for it).
 */
export class PgCounter {
  readonly counts: PgCounts = { roundTrips: 0, statements: 0, begins: 0, autocommits: 0, connections: 0 };
  /** Statements parsed, by their first 90 characters (node-pg parses every parameterized query it sends). */
  readonly texts = new Map<string, number>();
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();

  private constructor(server: net.Server) {
    this.#server = server;
  }

  /** Starts a proxy to the host and port of `databaseUrl`; {@link url} is the same URL through it. */
  static async start(databaseUrl: string): Promise<{ counter: PgCounter; url: string }> {
    const target = new URL(databaseUrl);
    const server = net.createServer();
    const counter = new PgCounter(server);
    server.on('connection', (client) => counter.accept(client, target.hostname, Number(target.port || 5432)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxied = new URL(databaseUrl);
    proxied.hostname = '127.0.0.1';
    proxied.port = String((server.address() as net.AddressInfo).port);
    return { counter, url: proxied.toString() };
  }

  /** A copy of the counts now. */
  snapshot(): PgCounts {
    return { ...this.counts };
  }

  /** Stops listening and closes every proxied connection. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  private accept(client: net.Socket, host: string, port: number): void {
    this.counts.connections++;
    const upstream = net.connect(port, host);
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.pipe(client);
    let buffered: Buffer = Buffer.alloc(0);
    let started = false;
    const state = { inTransaction: false };
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      let offset = 0;
      for (;;) {
        if (!started) {
          // Startup packet (or SSL/GSS request): length, then body, no type byte.
          if (buffered.length - offset < 8) break;
          const length = buffered.readInt32BE(offset);
          if (buffered.length - offset < length) break;
          const code = buffered.readInt32BE(offset + 4);
          offset += length;
          // 80877103 SSLRequest, 80877104 GSSENCRequest: the real startup packet follows.
          if (code !== 80877103 && code !== 80877104) started = true;
          continue;
        }
        if (buffered.length - offset < 5) break;
        const type = String.fromCharCode(buffered[offset] as number);
        const length = buffered.readInt32BE(offset + 1);
        if (buffered.length - offset < length + 1) break;
        const body = buffered.subarray(offset + 5, offset + 1 + length);
        this.#count(type, body, state);
        offset += length + 1;
      }
      buffered = offset >= buffered.length ? Buffer.alloc(0) : Buffer.from(buffered.subarray(offset));
    });
  }

  #count(type: string, body: Buffer, state: { inTransaction: boolean }): void {
    if (type === 'Q') {
      this.counts.roundTrips++;
      this.counts.statements++;
      this.#classify(body.toString('utf8', 0, Math.min(body.length, 90)), state);
    } else if (type === 'S') {
      this.counts.roundTrips++;
    } else if (type === 'E') {
      this.counts.statements++;
    } else if (type === 'P') {
      // Parse: name\0 query\0 ... (node-pg parses every unnamed statement again, so each query passes here)
      const nameEnd = body.indexOf(0);
      this.#classify(body.toString('utf8', nameEnd + 1, Math.min(body.length, nameEnd + 91)), state);
    }
  }

  #classify(text: string, state: { inTransaction: boolean }): void {
    const key = text.replace(/\0.*$/s, '');
    this.texts.set(key, (this.texts.get(key) ?? 0) + 1);
    if (/^\s*(begin|start\s+transaction)\b/i.test(text)) {
      this.counts.begins++;
      state.inTransaction = true;
    } else if (/^\s*(commit|rollback|end)\b/i.test(text) && !/^\s*rollback\s+to\b/i.test(text)) {
      state.inTransaction = false;
    } else if (!state.inTransaction) {
      this.counts.autocommits++;
    }
  }
}

/** Per-key difference of two count snapshots. */
export function countsDelta(before: PgCounts, after: PgCounts): PgCounts {
  return {
    roundTrips: after.roundTrips - before.roundTrips,
    statements: after.statements - before.statements,
    begins: after.begins - before.begins,
    autocommits: after.autocommits - before.autocommits,
    connections: after.connections - before.connections,
  };
}
