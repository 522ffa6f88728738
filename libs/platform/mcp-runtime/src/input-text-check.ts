import { AppError } from '@mcpfed/errors';
import { storableText } from './storable-text.ts';

/** What the edge check allows in one request's arguments (tools/call arguments, prompts/get arguments, a resource URI). */
export interface InputLimits {
  /** Deepest nesting of objects and arrays; the arguments object itself is depth 1. Default 32. */
  readonly maxDepth: number;
  /** Longest string or object key, in UTF-16 code units. Default 65536. */
  readonly maxStringLength: number;
  /** Most characters of all strings and keys together, in UTF-16 code units. Default 1048576. */
  readonly maxTotalLength: number;
  /** Most values (objects, arrays, strings, numbers, booleans, nulls) in all. Default 100000. */
  readonly maxValues: number;
}

/** The limits of every mcpfed server unless its host is configured otherwise. */
export const DEFAULT_INPUT_LIMITS: InputLimits = Object.freeze({ maxDepth: 32, maxStringLength: 65_536, maxTotalLength: 1_048_576, maxValues: 100_000 });

/** Why a value cannot be accepted, and where (dot path; `(root)` for the value itself). */
export interface InputTextProblem {
  readonly path: string;
  readonly message: string;
}

interface Frame {
  readonly value: unknown;
  readonly depth: number;
  readonly parent: Frame | undefined;
  readonly key: string | undefined;
}

const MAX_PATH_KEY = 64;

function pathOf(frame: Frame, key?: string): string {
  const parts: string[] = key === undefined ? [] : [key];
  for (let at: Frame | undefined = frame; at?.key !== undefined; at = at.parent) parts.push(at.key);
  if (parts.length === 0) return '(root)';
  // A hostile key must not carry its bytes into the error message, the log or the audit row.
  return parts
    .reverse()
    .map((part) => storableText(part, MAX_PATH_KEY))
    .join('.');
}

function textProblem(text: string, limits: InputLimits): string | undefined {
  if (text.length > limits.maxStringLength) return `is longer than ${limits.maxStringLength} characters`;
  if (text.includes('\u0000')) return 'contains a NUL character (U+0000), which cannot be stored; remove it';
  if (!text.isWellFormed()) return 'contains an unpaired UTF-16 surrogate (not valid Unicode); send valid text';
  return undefined;
}

/**
 * The edge check of every request's input text, for what PostgreSQL and JSON cannot store or the server must not
 * walk: NUL characters, unpaired surrogates, nesting deeper than `maxDepth`, strings or keys longer than
 * `maxStringLength`, and more than `maxTotalLength` characters or `maxValues` values in all. One iterative pass
 * (no recursion, so any depth is safe to inspect), stopping at the first problem. Returns undefined when the value
 * passes.
 */
export function checkInputText(value: unknown, limits: InputLimits = DEFAULT_INPUT_LIMITS): InputTextProblem | undefined {
  const stack: Frame[] = [{ value, depth: 0, parent: undefined, key: undefined }];
  let total = 0;
  let values = 0;
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const current = frame.value;
    if (++values > limits.maxValues) return { path: pathOf(frame), message: `the arguments hold more than ${limits.maxValues} values` };
    if (typeof current === 'string') {
      total += current.length;
      const problem = textProblem(current, limits);
      if (problem !== undefined) return { path: pathOf(frame), message: problem };
    } else if (current !== null && typeof current === 'object') {
      const depth = frame.depth + 1;
      if (depth > limits.maxDepth) return { path: pathOf(frame), message: `is nested deeper than ${limits.maxDepth} levels` };
      if (Array.isArray(current)) {
        for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], depth, parent: frame, key: String(i) });
      } else {
        const keys = Object.keys(current);
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i] as string;
          total += key.length;
          const problem = textProblem(key, limits);
          if (problem !== undefined) return { path: pathOf(frame, key), message: `has a key that ${problem}` };
          stack.push({ value: (current as Record<string, unknown>)[key], depth, parent: frame, key });
        }
      }
    }
    if (total > limits.maxTotalLength) return { path: pathOf(frame), message: `the arguments hold more than ${limits.maxTotalLength} characters in all` };
  }
  return undefined;
}

/**
 * The VALIDATION_FAILED of a failed edge check, in the shape of every other validation error of the runtime:
 * `details.issues = [{ path, message }]`. `what` names the input, e.g. `arguments` or `uri`.
 */
export function inputTextError(problem: InputTextProblem, what = 'arguments'): AppError {
  return new AppError('VALIDATION_FAILED', `Invalid ${what}: ${problem.path}: ${problem.message}. Fix them and call again.`, {
    details: { issues: [{ path: problem.path, message: problem.message }] },
  });
}
