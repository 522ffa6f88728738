import { durationMs, positiveInt, secret } from './env-values.ts';

/**
 * The audit digest key of development (`MCPFED_ENV=development`): public, in this repository, so it protects
 * nothing. Outside development `AUDIT_DIGEST_KEY` must be set.
 */
export const DEVELOPMENT_AUDIT_DIGEST_KEY = 'mcpfed-development-only-audit-digest-key-not-secret';

/**
 * The environment of a domain server hosted by `@mcpfed/mcp-runtime` (not the router), on top of
 * `commonServerEnv`: the audit trail and the HTTP read deadlines. `AUDIT_DIGEST_KEY` is a secret: wrap the
 * app's schema in `requireSecretsOutsideDevelopment` with it.
 */
export function domainServerEnv() {
  return {
    /**
     * HMAC-SHA256 key of the audit log's `args_digest`, at least 32 characters, from the secret store. Required
     * outside development; in development a fixed development-only key. Changing it makes new digests
     * incomparable with older ones (nothing else depends on it).
     */
    AUDIT_DIGEST_KEY: secret(32),
    /** Days an audit record is kept; older ones are deleted in small batches by every server. Default 365 days. */
    AUDIT_RETENTION_DAYS: positiveInt(365),
    /**
     * Longest time a client may take to send a request body once its headers arrived, in milliseconds; a slower
     * one is answered 408 and its connection closed. Default 10000 ms.
     */
    HTTP_BODY_TIMEOUT_MS: durationMs(10_000),
    /** Longest time a client may take to send a request's headers, in milliseconds (then 408). Default 10000 ms. */
    HTTP_HEADERS_TIMEOUT_MS: durationMs(10_000),
  };
}
