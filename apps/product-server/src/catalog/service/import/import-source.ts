import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '@mcpfed/errors';
import { fetchPublicUrl } from './fetch-public-url.ts';
import { parseImportUrl, resolveImportTarget } from './import-url-guard.ts';
import type { ImportUrlPolicy } from './import-url-guard.ts';

/** Where imports may read from and how much. */
export interface ImportSourceConfig extends ImportUrlPolicy {
  /** Absolute directory that `{ path }` sources must lie in (symbolic links are resolved first). */
  directory: string;
  /** Largest source accepted, in bytes. */
  maxBytes: number;
  /** How long to wait for an HTTP server's response headers (and between body chunks), in milliseconds. Default 30000. */
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

/** Redirects a URL import follows at most; each one is checked like the URL itself. */
export const MAX_IMPORT_REDIRECTS = 3;

/**
 * Checks a caller's source before an import is created: a path must stay inside the import directory and name an
 * existing file within the size limit; a URL must be http(s) without credentials and its host must resolve to
 * public addresses only (or be an allowed `host:port`). Nothing is downloaded here; the worker checks every hop
 * again when it does. Returns the reference to store and the size when known.
 */
export async function checkImportSource(
  source: { path: string } | { url: string },
  config: ImportSourceConfig,
): Promise<{ ref: ImportSourceRef; bytesTotal: number | null }> {
  if ('path' in source) {
    const file = await resolveImportPath(source.path, config.directory);
    const info = await stat(file).catch(() => undefined);
    if (info === undefined || !info.isFile()) {
      throw new AppError('NOT_FOUND', `No file ${source.path} in the import directory. Put the file there or pass a URL.`, {
        details: { field: 'source.path' },
      });
    }
    if (info.size > config.maxBytes) throw tooLarge(config.maxBytes);
    return { ref: { kind: 'path', value: path.relative(await realDirectory(config.directory), file) }, bytesTotal: info.size };
  }
  const url = parseImportUrl(source.url, undefined, 0);
  await resolveImportTarget(url, config, 0);
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
  // One connection pool per download (inside fetchPublicUrl): its connections live exactly as long as the import
  // reads them; a server's keep-alive would otherwise hold each finished import's socket open.
  const { response, close } = await fetchPublicUrl(parseImportUrl(ref.value, undefined, 0), {
    policy: config,
    maxRedirects: MAX_IMPORT_REDIRECTS,
    timeoutMs: config.fetchTimeoutMs ?? 30_000,
    signal,
  });
  try {
    const length = Number(response.headers['content-length']);
    const bytesTotal = Number.isSafeInteger(length) && length >= 0 ? length : null;
    if (bytesTotal !== null && bytesTotal > config.maxBytes) throw tooLarge(config.maxBytes);
    return { body: limited(response.body, config.maxBytes), bytesTotal, close };
  } catch (error) {
    await close();
    throw error;
  }
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
