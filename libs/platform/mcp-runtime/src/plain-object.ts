/** `value` as a plain JSON object (not null, not an array), or undefined: for reading untyped JSON-RPC messages. */
export function plainObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
