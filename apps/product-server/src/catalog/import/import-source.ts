import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import dns from 'node:dns';
import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import { Agent, request } from 'undici';
import { AppError } from '@mcpfed/errors';

/** Where imports may read from and how much. */
export interface ImportSourceConfig {
  /** Absolute directory that `{ path }` sources must lie in (symbolic links are resolved first). */
  directory: string;
  /** Largest source accepted, in bytes. */
  maxBytes: number;
  /** Whether `{ url }` may point at loopback, private or link-local addresses (tests, local stacks). Default false. */
  allowPrivateUrls?: boolean;
  /** How long to wait for an HTTP server's response headers, in milliseconds. Default 30000. */
  fetchTimeoutMs?: number;
}

/** A source as stored on an import: a path relative to the import directory, or a URL. */
export type ImportSourceRef = { kind: 'path'; value: string } | { kind: 'url'; value: string };

/** An opened source: its bytes and, when known, their number. */
export interface OpenedSource {
  body: AsyncIterable<Uint8Array>;
  bytesTotal: number | null;
  /**
   * Lets go of the file or the HTTP connection, whether or not `body` was read to its end. Call it once, in a
   * `finally`: an unread stream keeps its file descriptor, a URL source its own connection pool.
   */
  close(): Promise<void>;
}

const MAX_REDIRECTS = 3;

// Addresses an import must not reach unless allowed: loopback, private, link-local, CGNAT, unspecified, multicast.
const PRIVATE = new BlockList();
for (const [address, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.168.0.0', 16], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['::ffff:0:0', 96]] as const) {
  PRIVATE.addSubnet(address, prefix, 'ipv6');
}

/** Whether an IP address is public (not loopback, private, link-local, multicast or unspecified). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Checks a caller's source before an import is created: a path must stay inside the import directory and name an
 * existing file within the size limit; a URL must be http(s) and, unless private URLs are allowed, not name a
 * local or private host literally. Returns the reference to store and the size when known.
 */
export async function checkImportSource(
  source: { path: string } | { url: string },
  config: ImportSourceConfig,
): Promise<{ ref: ImportSourceRef; bytesTotal: number | null }> {
  if ('path' in source) {
    const file = await resolveImportPath(source.path, config.directory);
    const info = await stat(file).catch(() => undefined);
    if (info === undefined || !info.isFile()) {
      throw new AppError('NOT_FOUND', `No file ${source.path} in the import directory. Put the file there or pass a URL.`, { details: { field: 'source.path' } });
    }
    if (info.size > config.maxBytes) throw tooLarge(config.maxBytes);
    return { ref: { kind: 'path', value: path.relative(await realDirectory(config.directory), file) }, bytesTotal: info.size };
  }
  const url = parseImportUrl(source.url);
  if (config.allowPrivateUrls !== true) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && !isPublicAddress(host))) {
      throw new AppError('VALIDATION_FAILED', 'source.url must name a public host; local and private addresses are refused.', { details: { field: 'source.url' } });
    }
  }
  return { ref: { kind: 'url', value: url.toString() }, bytesTotal: null };
}

/** Opens a stored source for reading, enforcing the size limit while it streams. */
export async function openImportSource(ref: ImportSourceRef, config: ImportSourceConfig, signal: AbortSignal): Promise<OpenedSource> {
  if (ref.kind === 'path') {
    const file = await resolveImportPath(ref.value, config.directory);
    const info = await stat(file).catch(() => undefined);
    if (info === undefined || !info.isFile()) throw new AppError('NOT_FOUND', `The import file ${ref.value} no longer exists.`);
    if (info.size > config.maxBytes) throw tooLarge(config.maxBytes);
    const stream = createReadStream(file, { signal, highWaterMark: 256 * 1024 });
    return { body: limited(stream, config.maxBytes), bytesTotal: info.size, close: async () => void stream.destroy() };
  }
  // One pool per download: its connections live exactly as long as the import reads them (a server's keep-alive
  // would otherwise hold each finished import's socket open), and the lookup option is this config's.
  const dispatcher = new Agent({
    headersTimeout: config.fetchTimeoutMs ?? 30_000,
    bodyTimeout: config.fetchTimeoutMs ?? 30_000,
    connect: config.allowPrivateUrls === true ? {} : { lookup: publicOnlyLookup },
  });
  // destroy, not close: close would wait for a response whose body is left unread.
  const close = (): Promise<void> => dispatcher.destroy().catch(() => undefined);
  try {
    const response = await fetchFollowingRedirects(parseImportUrl(ref.value), dispatcher, signal);
    const length = Number(response.headers['content-length']);
    const bytesTotal = Number.isSafeInteger(length) && length >= 0 ? length : null;
    if (bytesTotal !== null && bytesTotal > config.maxBytes) throw tooLarge(config.maxBytes);
    return { body: limited(response.body, config.maxBytes), bytesTotal, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function fetchFollowingRedirects(start: URL, dispatcher: Agent, signal: AbortSignal) {
  let url = start;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let response;
    try {
      response = await request(url, { method: 'GET', dispatcher, signal });
    } catch (error) {
      if (AppError.is(error)) throw error;
      if (signal.aborted) throw error;
      throw new AppError('UPSTREAM_UNAVAILABLE', `Could not download ${url.host}: the server did not answer.`, { cause: error });
    }
    const status = response.statusCode;
    if (status >= 300 && status < 400 && typeof response.headers['location'] === 'string') {
      await discard(response.body);
      url = parseImportUrl(new URL(response.headers['location'], url).toString());
      continue;
    }
    if (status >= 200 && status < 300) return response;
    await discard(response.body);
    if (status === 404 || status === 410) throw new AppError('NOT_FOUND', `The import URL answered ${status}: there is no file there.`);
    if (status === 429 || status >= 500) throw new AppError('UPSTREAM_UNAVAILABLE', `The import URL answered ${status}; it is retried.`);
    throw new AppError('PRECONDITION_FAILED', `The import URL answered ${status}; check that it is public and correct.`);
  }
  throw new AppError('PRECONDITION_FAILED', `The import URL redirects more than ${MAX_REDIRECTS} times.`);
}

/** dns.lookup that refuses hosts resolving to non-public addresses (checked on every connection, redirects too). */
function publicOnlyLookup(
  hostname: string,
  options: dns.LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
): void {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error !== null) return callback(error, []);
    const refused = addresses.find((entry) => !isPublicAddress(entry.address));
    if (refused !== undefined) {
      return callback(new AppError('PRECONDITION_FAILED', `The import URL's host resolves to a non-public address; it is refused.`) as unknown as NodeJS.ErrnoException, []);
    }
    if (options.all === true) return callback(null, addresses);
    const first = addresses[0];
    return first === undefined ? callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []) : callback(null, first.address, first.family);
  });
}

function parseImportUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'source.url is not a valid URL.', { details: { field: 'source.url' } });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('VALIDATION_FAILED', `source.url must be http or https, not ${url.protocol.replace(':', '')}.`, { details: { field: 'source.url' } });
  }
  if (url.username !== '' || url.password !== '') {
    throw new AppError('VALIDATION_FAILED', 'source.url must not carry credentials.', { details: { field: 'source.url' } });
  }
  return url;
}

/** The absolute path of a relative import path, refusing anything that resolves outside the directory. */
async function resolveImportPath(relative: string, directory: string): Promise<string> {
  const outside = () =>
    new AppError('VALIDATION_FAILED', 'source.path must be a relative path inside the import directory (no "..", no absolute paths).', {
      details: { field: 'source.path' },
    });
  if (path.isAbsolute(relative) || relative.includes('\0')) throw outside();
  const root = await realDirectory(directory);
  const joined = path.resolve(root, relative);
  if (!isInside(root, joined)) throw outside();
  // A symbolic link inside the directory may point anywhere: judge where it really leads.
  const real = await realpath(joined).catch(() => joined);
  if (!isInside(root, real)) throw outside();
  return real;
}

async function realDirectory(directory: string): Promise<string> {
  return realpath(directory).catch(() => path.resolve(directory));
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** Lets go of a response body without reading it (undici reuses the connection up to a small remainder). */
async function discard(body: { dump(options?: { limit?: number }): Promise<void> }): Promise<void> {
  await body.dump({ limit: 64 * 1024 }).catch(() => undefined);
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('LIMIT_EXCEEDED', `The import source is larger than the ${maxBytes} bytes this server accepts. Split it into smaller files.`, {
    details: { max_bytes: maxBytes },
  });
}

async function* limited(body: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.byteLength;
    if (seen > maxBytes) throw tooLarge(maxBytes);
    yield chunk;
  }
}
