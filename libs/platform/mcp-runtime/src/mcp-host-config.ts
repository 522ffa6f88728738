import type { Kysely } from 'kysely';
import type { Logger, Metrics, Tracing } from '@mcpfed/telemetry';
import type { InputLimits } from './input-text-check.ts';
import type { ServerIdentity } from './server-identity.ts';
import type { PromptBinding, ResourceBinding, ToolBinding } from './types.ts';

/** Settings of an {@link McpHost}. */
export interface McpHostConfig<DB> extends ServerIdentity {
  /** The domain database (pool). Write tools get a transaction on it; the audit log and idempotency records live in it. */
  db: Kysely<DB>;
  tools: readonly ToolBinding<DB>[];
  resources?: readonly ResourceBinding<DB>[];
  prompts?: readonly PromptBinding<DB>[];
  logger: Logger;
  metrics: Metrics;
  tracing: Tracing;
  /** Rate limit per principal and tool (shared through Redis). Omit to disable. */
  rateLimiter?: { consume(principalId: string, tool: string): Promise<void> };
  /** Deadline of tools without their own, in milliseconds. Default 5000. */
  defaultDeadlineMs?: number;
  /** How often buffered audit records (reads, failures) are written, in milliseconds. Default 1000. */
  auditFlushIntervalMs?: number;
  /**
   * HMAC key of the audit records' `args_digest` (`AUDIT_DIGEST_KEY`, at least 32 characters). Default: a random key
   * per process, so digests are comparable only within one process lifetime (tests); `runMcpServer` always passes
   * the configured key.
   */
  auditDigestKey?: string;
  /** Days an audit record is kept (`AUDIT_RETENTION_DAYS`). Default 365. */
  auditRetentionDays?: number;
  /** How often expired audit records are deleted, in milliseconds. Default 600000 (10 minutes). */
  auditPurgeIntervalMs?: number;
  /** What the edge check admits in arguments, prompt arguments and resource URIs. Default {@link DEFAULT_INPUT_LIMITS}. */
  inputLimits?: InputLimits;
  /**
   * How long idempotency records (and their stored responses) are kept, in milliseconds. Default 24 h: a retry
   * with the same key after that runs again. Expired records are deleted every 15 minutes.
   */
  idempotencyRetentionMs?: number;
}
