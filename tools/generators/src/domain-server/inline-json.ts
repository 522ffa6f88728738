/** One-line JSON spaced as Prettier prints a short object: `{ "name": "x", "n": 1 }`. */
export function inlineJson(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return JSON.stringify(value);
  return `{ ${Object.entries(value)
    .map(([key, item]) => `${JSON.stringify(key)}: ${inlineJson(item)}`)
    .join(', ')} }`;
}
