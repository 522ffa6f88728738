import { createHash, createHmac } from 'node:crypto';
import { storableText } from './storable-text.ts';

/** Argument names whose values are personal data or secrets in every domain. */
export const DEFAULT_REDACTED_FIELDS: readonly string[] = [
  'email',
  'phone',
  'first_name',
  'last_name',
  'full_name',
  'line1',
  'line2',
  'postal_code',
  'body',
  'note',
  'password',
  'secret',
  'token',
  'confirm_token',
  'card_number',
  'cvc',
];

/** Longest string kept in an audit record, in characters (longer ones are cut). */
const MAX_AUDITED_STRING = 512;
/** Longest key kept in an audit record, in characters. */
const MAX_AUDITED_KEY = 64;
/** Deepest level of an audit record's arguments; deeper values become {@link TOO_DEEP}. */
const MAX_AUDITED_DEPTH = 8;
/** Most members kept of one object or array. */
const MAX_AUDITED_MEMBERS = 100;
/** Most characters of strings and keys kept in all; past it values become {@link TRUNCATED}. */
const MAX_AUDITED_CHARS = 16_384;

const REDACTED = '[redacted]';
const TOO_DEEP = '[too deep]';
const TRUNCATED = '[truncated]';

interface Pending {
  readonly value: unknown;
  readonly depth: number;
  readonly assign: (copy: unknown) => void;
}

/**
 * Copies tool arguments for the audit log: personal data and secrets replaced by "[redacted]" at any depth, and
 * bounded so PostgreSQL always accepts the row and it stays small whatever a caller sent — NUL characters and
 * unpaired surrogates (in values and keys) become U+FFFD, strings are cut at 512 characters, levels below 8, members
 * past 100 per object or array and characters past 16 KiB in all are left out with a marker. Iterative: any nesting
 * depth is safe. Objects have no prototype, so a `__proto__` argument is kept as data.
 */
export function redactArguments(value: unknown, redacted: ReadonlySet<string>): unknown {
  let result: unknown;
  let chars = 0;
  const stack: Pending[] = [{ value, depth: 0, assign: (copy) => (result = copy) }];
  while (stack.length > 0) {
    const { value: current, depth, assign } = stack.pop() as Pending;
    if (typeof current === 'string') {
      chars += Math.min(current.length, MAX_AUDITED_STRING);
      assign(chars > MAX_AUDITED_CHARS ? TRUNCATED : storableText(current, MAX_AUDITED_STRING));
    } else if (current === null || typeof current !== 'object') {
      assign(current);
    } else if (depth >= MAX_AUDITED_DEPTH) {
      assign(TOO_DEEP);
    } else if (chars > MAX_AUDITED_CHARS) {
      assign(TRUNCATED);
    } else if (Array.isArray(current)) {
      const copy: unknown[] = [];
      assign(copy);
      const kept = Math.min(current.length, MAX_AUDITED_MEMBERS);
      if (current.length > kept) copy[kept] = `[${current.length - kept} more]`;
      for (let i = kept - 1; i >= 0; i--) stack.push({ value: current[i], depth: depth + 1, assign: (item) => (copy[i] = item) });
    } else {
      const copy = Object.create(null) as Record<string, unknown>;
      assign(copy);
      const keys = Object.keys(current);
      for (const key of keys.slice(0, MAX_AUDITED_MEMBERS)) {
        const item = (current as Record<string, unknown>)[key];
        const name = storableText(key, MAX_AUDITED_KEY);
        chars += name.length;
        // Members are filled in as the stack reaches them; assigning now keeps the arguments' key order.
        copy[name] = redacted.has(key) && item !== null && item !== undefined ? REDACTED : undefined;
        if (copy[name] === undefined) stack.push({ value: item, depth: depth + 1, assign: (member) => (copy[name] = member) });
      }
      if (keys.length > MAX_AUDITED_MEMBERS) copy['[more]'] = `${keys.length - MAX_AUDITED_MEMBERS} more members`;
    }
  }
  return result;
}

/** A piece of canonical JSON text already rendered (punctuation, a member's key). */
class Literal {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/**
 * JSON with object keys sorted and undefined members left out, so equal arguments hash equally whatever their key
 * order. Iterative: any nesting depth is safe.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item instanceof Literal) {
      out.push(item.text);
    } else if (Array.isArray(item)) {
      out.push('[');
      stack.push(new Literal(']'));
      for (let i = item.length - 1; i >= 0; i--) {
        stack.push(item[i]);
        if (i > 0) stack.push(new Literal(','));
      }
    } else if (item !== null && typeof item === 'object') {
      out.push('{');
      stack.push(new Literal('}'));
      const keys = Object.keys(item)
        .filter((k) => (item as Record<string, unknown>)[k] !== undefined)
        .sort();
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        stack.push((item as Record<string, unknown>)[key]);
        stack.push(new Literal(`${i > 0 ? ',' : ''}${JSON.stringify(key)}:`));
      }
    } else {
      out.push(JSON.stringify(item) ?? 'null');
    }
  }
  return out.join('');
}

/**
 * SHA-256 hex digest of the canonical JSON of a value: the request hash of idempotency records, which only has to
 * be equal for equal arguments while a key lives (24 h), stays valid across key rotations and deploys, and is stored
 * beside the response it replays. The audit log uses {@link keyedDigest} instead.
 */
export function digest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/**
 * HMAC-SHA256 hex digest of the canonical JSON of a value under `key` (`AUDIT_DIGEST_KEY`): the audit log's
 * `args_digest`. Equal arguments give equal digests, so an operator can match calls, but without the key a digest
 * cannot confirm a guessed argument (an email, a card token).
 */
export function keyedDigest(value: unknown, key: string | Buffer): string {
  return createHmac('sha256', key).update(canonicalJson(value)).digest('hex');
}
