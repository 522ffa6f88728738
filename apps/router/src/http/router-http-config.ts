import type { Server as NodeHttpServer } from 'node:http';
import type { OriginGuard, Principal } from '@mcpfed/auth';
import type { Logger, Metrics } from '@mcpfed/telemetry';
import type { Router } from '../router.ts';
import type { RouterServerInfo } from '../router-protocol.ts';

/** Settings of the router's HTTP listener (`serveRouterHttp`). */
export interface RouterHttpConfig {
  router: Router;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one (tests). */
  port: number;
  /** Public base URL (no trailing slash); the resource identifier is `${publicUrl}/mcp`. Default http://host:port. */
  publicUrl?: string | undefined;
  verifier: { verify(token: string): Promise<Principal> };
  originGuard: OriginGuard;
  /** RFC 9728 metadata document for a resource URL. */
  resourceMetadata: (resource: string) => Record<string, unknown>;
  /** Name, version, description and icons reported at initialize. */
  serverInfo: RouterServerInfo;
  logger: Logger;
  metrics: Metrics;
  /** Largest accepted request body, in bytes. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Largest accepted JSON-RPC batch, in messages. Default 100. */
  maxBatch?: number;
  /** Interval of comment lines on idle event streams (keeps proxies from closing them), in milliseconds. Default 15000. */
  heartbeatMs?: number;
  /** Time a client has to send a request's headers, in milliseconds (408 after it). Default 10000. */
  headersTimeoutMs?: number;
  /** Time a client has to send a whole request, body included, in milliseconds (408 after it); 0 for none. Default 30000. */
  bodyTimeoutMs?: number;
  /** Notification streams one principal may hold open at once (429 above). Default 16. */
  maxStreamsPerPrincipal?: number;
  /** Notification streams held open at once (503 above). Default 1000. */
  maxStreams?: number;
  /**
   * `http`: a lone `tools/call` of a catalog tool whose scopes the caller lacks gets HTTP 403 `insufficient_scope`
   * naming them (step-up); `tool`: the structured FORBIDDEN result (AUTH_SCOPE_CHALLENGE). Default `tool`.
   */
  scopeChallenge?: 'http' | 'tool';
  /**
   * Scopes a 401's `WWW-Authenticate` names for a client to ask for (MCP authorization, scope selection): the
   * federation's, as the metadata's `scopes_supported` — tool scopes alone would leave out `customer:any`, which no
   * tool declares but staff need to reach customers. The issuer grants only what the person holds. Default none.
   */
  challengeScopes?: readonly string[];
}

/** A running router listener. */
export interface RouterHttpHandle {
  readonly server: NodeHttpServer;
  /** Base URL, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** Open notification streams (GET /mcp), for tests and /status. */
  readonly streams: number;
  /** Stops accepting, ends the notification streams, lets in-flight requests finish (up to `timeoutMs`), then closes every connection. */
  close(timeoutMs: number): Promise<void>;
}
