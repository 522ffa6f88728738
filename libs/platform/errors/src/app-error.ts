import { isRetryableCode } from './error-codes.ts';
import type { ErrorCode } from './error-codes.ts';

const BRAND = Symbol.for('mcpfed.AppError');

/** Options of an {@link AppError}. */
export interface AppErrorOptions {
  /** Structured, model-readable facts about the failure (field paths, limits, ids). Never secrets or PII. */
  details?: Record<string, unknown>;
  /** The error that caused this one; logged, never sent to the caller. */
  cause?: unknown;
  /** Overrides the code's default retryability (see `isRetryableCode`). */
  retryable?: boolean;
}

/**
 * The one error type of mcpfed. Services throw it; `platform/mcp-runtime` converts it to the wire.
 * Recognise it with {@link AppError.is}, which works across bundles and module copies (it checks a
 * registered symbol brand, not the prototype chain).
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = options.retryable ?? isRetryableCode(code);
    this.details = options.details;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for any AppError, including one created by another copy of this module. */
  static is(value: unknown): value is AppError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
