import type { IncomingMessage } from 'node:http';

/**
 * Reads a request body of at most `limit` bytes within `timeoutMs`: `too_large` as soon as the declared or received
 * size passes the limit (the rest is drained, not kept), `timeout` when the client sends too slowly (a slow body
 * must not hold a connection and its memory for ever).
 */
export function readRequestBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer | 'too_large' | 'timeout'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? -1);
    if (declared > limit) {
      req.resume();
      resolve('too_large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const timer = setTimeout(() => {
      over = true;
      chunks.length = 0;
      resolve('timeout');
    }, timeoutMs);
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        clearTimeout(timer);
        chunks.length = 0;
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      clearTimeout(timer);
      if (!over) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
