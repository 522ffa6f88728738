import { InitializeRequestSchema, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { JSON_RPC } from '@mcpfed/errors';
import { plainObject } from './plain-object.ts';

/**
 * The stateless MCP revision: no initialize, the protocol version and client capabilities in every request's
 * `_meta`, `server/discover`, `resultType` and cache hints on results (docs/decisions.md, "Two revisions").
 */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';
/** The newest revision with the initialize handshake; what a request without the `_meta` claim is taken for. */
export const LEGACY_PROTOCOL_VERSION = '2025-11-25';
/** Every revision an mcpfed endpoint answers, newest first. */
export const SERVED_PROTOCOL_VERSIONS: readonly string[] = [
  MODERN_PROTOCOL_VERSION,
  ...SUPPORTED_PROTOCOL_VERSIONS.filter((v) => v !== MODERN_PROTOCOL_VERSION),
];

/** The reserved `_meta` keys of 2026-07-28. */
export const REVISION_META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

/**
 * The extension identifier of tasks from MCP 2026-07-28 on (a core utility in 2025-11-25). Defined here, not in
 * task-wire.ts (which re-exports it), so that task-wire can use this file's revision checks without an import cycle.
 */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** JSON-RPC codes 2026-07-28 adds (the range -32020..-32099 is the specification's). */
export const MODERN_ERROR = { HEADER_MISMATCH: -32020, MISSING_CLIENT_CAPABILITY: -32021, UNSUPPORTED_PROTOCOL_VERSION: -32022 } as const;

/** A JSON-RPC error with the HTTP status it is answered with. */
export interface RevisionProblem {
  status: number;
  error: { code: number; message: string; data?: unknown };
}

/** How long a result may be reused and by whom (2026-07-28 `CacheableResult`). */
export interface CacheHint {
  ttlMs: number;
  cacheScope: 'public' | 'private';
}

/**
 * Cache hints by method. Every list mcpfed serves is filtered by the caller's scopes, so it is `private`: a shared
 * cache must not hand one caller's list to another. Only `server/discover` is the same for every caller.
 */
export type CacheHints = Readonly<
  Record<'server/discover' | 'tools/list' | 'prompts/list' | 'resources/list' | 'resources/templates/list' | 'resources/read', CacheHint>
>;

/**
 * A domain server's hints: its catalog changes only with a deploy (a minute of staleness is harmless, and it announces
 * no list changes); `resources/list` and `resources/read` show live rows, so they are never reused.
 */
export const SERVER_CACHE_HINTS: CacheHints = {
  'server/discover': { ttlMs: 60_000, cacheScope: 'public' },
  'tools/list': { ttlMs: 60_000, cacheScope: 'private' },
  'prompts/list': { ttlMs: 60_000, cacheScope: 'private' },
  'resources/templates/list': { ttlMs: 60_000, cacheScope: 'private' },
  'resources/list': { ttlMs: 0, cacheScope: 'private' },
  'resources/read': { ttlMs: 0, cacheScope: 'private' },
};

/** Methods 2026-07-28 removed: a request claiming that revision gets -32601 for them. */
const REMOVED_METHODS: ReadonlySet<string> = new Set(['ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe', 'notifications/initialized']);
/** Methods whose `Mcp-Name` header mirrors `params.name` or `params.uri`. */
const NAMED_METHODS: Readonly<Record<string, 'name' | 'uri'>> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };

const record = plainObject;

function metaOf(message: Record<string, unknown>): Record<string, unknown> | undefined {
  return record(record(message['params'])?.['_meta']);
}

/**
 * The protocol version a message claims in `_meta` (2026-07-28 and later), or undefined for a message without the
 * claim (2025-11-25 and earlier: its revision was fixed at initialize). `initialize` is always the old handshake.
 */
export function claimedRevision(message: Record<string, unknown>): string | undefined {
  if (message['method'] === 'initialize') return undefined;
  const claim = metaOf(message)?.[REVISION_META.protocolVersion];
  return claim === undefined ? undefined : typeof claim === 'string' ? claim : '';
}

/** True when the revision is one without initialize (2026-07-28 and later). */
export function isModernRevision(version: string | undefined): boolean {
  return version !== undefined && version >= MODERN_PROTOCOL_VERSION;
}

/** The revision a request is served under: its `_meta` claim, else the `MCP-Protocol-Version` header, else 2025-11-25. */
export function requestRevision(meta: Record<string, unknown> | undefined, header?: string | string[] | undefined): string {
  const claim = meta?.[REVISION_META.protocolVersion];
  if (typeof claim === 'string') return claim;
  return typeof header === 'string' && !isModernRevision(header) ? header : LEGACY_PROTOCOL_VERSION;
}

function unsupported(requested: string): RevisionProblem {
  return {
    status: 400,
    error: {
      code: MODERN_ERROR.UNSUPPORTED_PROTOCOL_VERSION,
      message: `Unsupported protocol version ${JSON.stringify(requested.slice(0, 40))}; supported: ${SERVED_PROTOCOL_VERSIONS.join(', ')}`,
      // Cut like the message: the requested string is the caller's and may be arbitrarily long.
      data: { supported: [...SERVED_PROTOCOL_VERSIONS], requested: requested.slice(0, 40) },
    },
  };
}

function mismatch(message: string): RevisionProblem {
  return { status: 400, error: { code: MODERN_ERROR.HEADER_MISMATCH, message: `Header mismatch: ${message}` } };
}

/** Decodes the `=?base64?…?=` sentinel form of `Mcp-Name` (2026-07-28, "Value Encoding"); undefined when malformed. */
export function decodeHeaderValue(value: string): string | undefined {
  const match = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/.exec(value);
  if (!match) return value.startsWith('=?base64?') ? undefined : value;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  return Buffer.from(decoded, 'utf8').toString('base64').replace(/=+$/, '') === (match[1] as string).replace(/=+$/, '') ? decoded : undefined;
}

/**
 * What is wrong with a message claiming 2026-07-28 before it may run: an unsupported version (-32022), an envelope
 * without client capabilities (-32602), a method the revision removed (-32601). With `headers` (Streamable HTTP) also
 * the standard headers: `MCP-Protocol-Version`, `Mcp-Method` and, for tools/call, prompts/get and resources/read,
 * `Mcp-Name` must be present on a request and equal the body's values (-32020), since an intermediary may have
 * routed on them. Undefined when the message may run.
 */
export function modernRequestProblem(message: Record<string, unknown>, headers?: Record<string, string | string[] | undefined>): RevisionProblem | undefined {
  // Whatever the message (a notification, `initialize`, an older revision's request): an `Mcp-Method` header that
  // is not its method is refused, since an intermediary may have routed on it.
  const sentMethod = headers?.['mcp-method'];
  if (sentMethod !== undefined && sentMethod !== message['method']) return mismatch(`Mcp-Method does not match the body's method`);
  const claim = claimedRevision(message);
  if (claim === undefined) {
    const header = headers?.['mcp-protocol-version'];
    if (typeof header === 'string' && isModernRevision(header) && message['method'] !== 'initialize') {
      return {
        status: 400,
        error: { code: JSON_RPC.INVALID_PARAMS, message: `Invalid params: a ${header} request needs params._meta["${REVISION_META.protocolVersion}"]` },
      };
    }
    return undefined;
  }
  if (!SERVED_PROTOCOL_VERSIONS.includes(claim) || !isModernRevision(claim)) return unsupported(claim);
  const meta = metaOf(message) as Record<string, unknown>;
  if (record(meta[REVISION_META.clientCapabilities]) === undefined) {
    return {
      status: 400,
      error: { code: JSON_RPC.INVALID_PARAMS, message: `Invalid params: params._meta["${REVISION_META.clientCapabilities}"] must be an object` },
    };
  }
  const clientInfo = meta[REVISION_META.clientInfo];
  if (
    clientInfo !== undefined &&
    (record(clientInfo) === undefined ||
      typeof (clientInfo as Record<string, unknown>)['name'] !== 'string' ||
      typeof (clientInfo as Record<string, unknown>)['version'] !== 'string')
  ) {
    return {
      status: 400,
      error: {
        code: JSON_RPC.INVALID_PARAMS,
        message: `Invalid params: params._meta["${REVISION_META.clientInfo}"] must be an object with a string name and version`,
      },
    };
  }
  const method = message['method'] as string;
  // server/discover runs as the SDK's initialize, whose schema would otherwise refuse a malformed envelope as -32603.
  if (method === 'server/discover') {
    const problem = discoverEnvelopeProblem(message);
    if (problem !== undefined) return { status: 400, error: { code: JSON_RPC.INVALID_PARAMS, message: problem } };
  }
  const isRequest = 'id' in message;
  if (headers !== undefined && isRequest) {
    const version = headers['mcp-protocol-version'];
    if (typeof version !== 'string') return mismatch('the MCP-Protocol-Version header is required');
    if (version !== claim) return mismatch(`MCP-Protocol-Version ${JSON.stringify(version.slice(0, 40))} is not the body's ${claim}`);
    const methodHeader = headers['mcp-method'];
    if (typeof methodHeader !== 'string') return mismatch('the Mcp-Method header is required');
    if (methodHeader !== method) return mismatch(`Mcp-Method does not match the body's method`);
    const nameField = NAMED_METHODS[method];
    if (nameField !== undefined) {
      const nameHeader = headers['mcp-name'];
      if (typeof nameHeader !== 'string') return mismatch(`the Mcp-Name header is required for ${method}`);
      const decoded = decodeHeaderValue(nameHeader);
      if (decoded === undefined) return mismatch('Mcp-Name is not a valid =?base64?…?= value');
      if (decoded !== record(message['params'])?.[nameField]) return mismatch(`Mcp-Name does not match the body's params.${nameField}`);
    }
  }
  if (REMOVED_METHODS.has(method))
    return { status: 404, error: { code: JSON_RPC.METHOD_NOT_FOUND, message: `Method not found: ${method} is not part of ${claim}` } };
  return undefined;
}

/** What the SDK's initialize schema finds wrong with a `server/discover` envelope, said in the envelope's own keys. */
function discoverEnvelopeProblem(message: Record<string, unknown>): string | undefined {
  const parsed = InitializeRequestSchema.safeParse(innerRequest(message));
  if (parsed.success) return undefined;
  const keys: Record<string, string> = { capabilities: REVISION_META.clientCapabilities, clientInfo: REVISION_META.clientInfo };
  const issues = parsed.error.issues.slice(0, 5).map((issue) => {
    const [params, field, ...rest] = issue.path.map(String);
    const where =
      params === 'params' && field !== undefined && keys[field] !== undefined
        ? [`params._meta["${keys[field]}"]`, ...rest].join('.')
        : issue.path.join('.') || '(root)';
    return `${where}: ${issue.message}`;
  });
  return `Invalid params for server/discover: ${issues.join('; ')}`;
}

/**
 * The request as the SDK v1 protocol layer takes it: `server/discover` becomes `initialize` (whose answer holds the
 * same identity, capabilities and instructions, so both stay defined in one place); everything else is unchanged.
 */
export function innerRequest(message: Record<string, unknown>): Record<string, unknown> {
  if (message['method'] !== 'server/discover') return message;
  const meta = metaOf(message) ?? {};
  return {
    ...message,
    method: 'initialize',
    params: {
      protocolVersion: LEGACY_PROTOCOL_VERSION,
      capabilities: record(meta[REVISION_META.clientCapabilities]) ?? {},
      clientInfo: record(meta[REVISION_META.clientInfo]) ?? { name: 'unknown', version: '0' },
      _meta: meta,
    },
  };
}
