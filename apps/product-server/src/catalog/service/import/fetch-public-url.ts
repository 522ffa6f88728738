import type dns from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import { AppError } from '@mcpfed/errors';
import { parseImportUrl, resolveImportTarget, tooManyRedirects } from './import-url-guard.ts';
import type { ImportUrlPolicy } from './import-url-guard.ts';

/** How {@link fetchPublicUrl} downloads. */
export interface FetchPublicUrlOptions {
  /** Which hosts besides public addresses may be reached. */
  policy: ImportUrlPolicy;
  /** Redirects followed at most (each hop checked like the first). */
  maxRedirects: number;
  /** How long to wait for response headers, and between body chunks, in milliseconds. */
  timeoutMs: number;
  signal: AbortSignal;
}

/** A 2xx response whose body is still to be read, and how to let go of its connection. */
export interface PublicResponse {
  response: Dispatcher.ResponseData;
  /** Destroys the download's own connection pool, read to its end or not. */
  close(): Promise<void>;
}

const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * GETs an http(s) URL that must lead to public addresses only. Redirects are followed here, not by undici: each
 * hop's URL is parsed again (http or https, no credentials), its host resolved and every address checked
 * (`resolveImportTarget`), and the connection made to exactly the checked addresses. Bodies of non-2xx answers
 * are discarded unread, and their errors name only the status, so nothing a refused or failing server says
 * reaches the caller.
 */
export async function fetchPublicUrl(start: URL, options: FetchPublicUrlOptions): Promise<PublicResponse> {
  // Host name -> the addresses its last check passed. The connector reads them instead of asking DNS again.
  const pinned = new Map<string, LookupAddress[]>();
  const dispatcher = new Agent({
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: { lookup: pinnedLookup(pinned) },
  });
  // destroy, not close: close would wait for a response whose body is left unread.
  const close = (): Promise<void> => dispatcher.destroy().catch(() => undefined);
  try {
    let url = start;
    for (let hop = 0; hop <= options.maxRedirects; hop++) {
      pinned.set(url.hostname, await resolveImportTarget(url, options.policy, hop));
      const response = await send(url, dispatcher, options.signal);
      const status = response.statusCode;
      const location = response.headers['location'];
      if (REDIRECTS.has(status) && typeof location === 'string') {
        await discard(response.body);
        url = parseImportUrl(location, url, hop + 1);
        continue;
      }
      if (status >= 200 && status < 300) return { response, close };
      await discard(response.body);
      throw statusError(status);
    }
    throw tooManyRedirects(options.maxRedirects);
  } catch (error) {
    await close();
    throw error;
  }
}

async function send(url: URL, dispatcher: Agent, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  try {
    return await request(url, { method: 'GET', dispatcher, signal });
  } catch (error) {
    if (AppError.is(error) || signal.aborted) throw error;
    throw new AppError('UPSTREAM_UNAVAILABLE', 'Could not download the import URL: the server did not answer.', { cause: error });
  }
}

function statusError(status: number): AppError {
  if (status === 404 || status === 410) return new AppError('NOT_FOUND', `The import URL answered ${status}: there is no file there.`);
  if (status === 429 || status >= 500) return new AppError('UPSTREAM_UNAVAILABLE', `The import URL answered ${status}; it is retried.`);
  return new AppError('PRECONDITION_FAILED', `The import URL answered ${status}; check that it is public and correct.`);
}

/** A `lookup` for net.connect that answers only from the checked addresses (IP literals never reach it). */
function pinnedLookup(pinned: ReadonlyMap<string, LookupAddress[]>) {
  return (
    hostname: string,
    options: dns.LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    const addresses = pinned.get(hostname);
    if (addresses === undefined || addresses.length === 0) {
      // Unreachable while every hop is resolved before it is requested; refuse rather than ask DNS.
      callback(Object.assign(new Error(`no checked address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      return;
    }
    const wanted = options.family === 4 || options.family === 6 ? addresses.filter((entry) => entry.family === options.family) : addresses;
    if (options.all === true) return callback(null, wanted);
    const first = wanted[0];
    if (first === undefined)
      return callback(Object.assign(new Error(`no checked IPv${String(options.family)} address for ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(null, first.address, first.family);
  };
}

/** Lets go of a response body without reading it (undici reuses the connection up to a small remainder). */
async function discard(body: { dump(options?: { limit?: number }): Promise<void> }): Promise<void> {
  await body.dump({ limit: 64 * 1024 }).catch(() => undefined);
}
