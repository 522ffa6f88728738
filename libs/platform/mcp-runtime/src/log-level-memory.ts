import { optionSchemas, parseOptions } from '@mcpfed/errors';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { LogLevel } from './log-level.ts';

/** Settings of a {@link LogLevelMemory}. */
export interface LogLevelMemoryConfig {
  /** Principals remembered at most; the least recently set is forgotten first. Default 10000. */
  maxEntries?: number;
  /** How long a level set by `logging/setLevel` holds, in milliseconds. Default 3600000 (1 hour). */
  ttlMs?: number;
}

const logLevelMemoryOptions = z.object({
  maxEntries: optionSchemas.positiveInteger(10_000),
  ttlMs: optionSchemas.positiveInteger(60 * 60 * 1000),
});

/**
 * The levels callers set with `logging/setLevel` (MCP 2025-11-25), per principal. mcpfed's HTTP servers keep no
 * sessions, so a level cannot belong to a connection: it belongs to the caller (the token's subject) on this
 * process, for its later requests that carry no `_meta` level of their own (docs/architecture.md §4, logging).
 * Bounded and expiring, so callers cannot grow it without limit.
 */
export class LogLevelMemory {
  // Expiry is checked against Date.now() here rather than by the cache's own TTL clock: a level holds for wall-clock
  // time, and reading it (peek) must not make it the most recently set.
  readonly #levels: LRUCache<string, { level: LogLevel; until: number }>;
  readonly #ttlMs: number;

  /** @throws AppError VALIDATION_FAILED naming the first bad option. */
  constructor(options: LogLevelMemoryConfig = {}) {
    const config = parseOptions('LogLevelMemory', logLevelMemoryOptions, options);
    this.#levels = new LRUCache({ max: config.maxEntries });
    this.#ttlMs = config.ttlMs;
  }

  /** Remembers `level` for `principalId`. */
  set(principalId: string, level: LogLevel): void {
    this.#levels.set(principalId, { level, until: Date.now() + this.#ttlMs });
  }

  /** The level `principalId` set and still holds, if any. */
  get(principalId: string): LogLevel | undefined {
    const entry = this.#levels.peek(principalId);
    if (entry === undefined) return undefined;
    if (entry.until > Date.now()) return entry.level;
    this.#levels.delete(principalId);
    return undefined;
  }
}
