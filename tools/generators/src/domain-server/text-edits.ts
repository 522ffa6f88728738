/** A text edit could not find the place it edits: the file changed shape; the message names the file and the anchor. */
export class EditAnchorError extends Error {
  override readonly name = 'EditAnchorError';
}

/** Inserts `insertion` right before the first match of `anchor` in `text` (after `from`, when given). */
export function insertBefore(text: string, anchor: string | RegExp, insertion: string, file: string, from = 0): string {
  const at = indexOf(text, anchor, from, file);
  return text.slice(0, at) + insertion + text.slice(at);
}

/** Inserts `insertion` right after the first match of `anchor` in `text` (after `from`, when given). */
export function insertAfter(text: string, anchor: string | RegExp, insertion: string, file: string, from = 0): string {
  const at = indexOf(text, anchor, from, file);
  const length = typeof anchor === 'string' ? anchor.length : (anchor.exec(text.slice(at))?.[0].length ?? 0);
  return text.slice(0, at + length) + insertion + text.slice(at + length);
}

/** The index of `anchor` at or after `from`; throws EditAnchorError when it is not there. */
export function indexOf(text: string, anchor: string | RegExp, from: number, file: string): number {
  const rest = text.slice(from);
  const at = typeof anchor === 'string' ? rest.indexOf(anchor) : (anchor.exec(rest)?.index ?? -1);
  if (at < 0) throw new EditAnchorError(`${file}: cannot find ${String(anchor)} to insert next to; edit it by hand or update the generator`);
  return from + at;
}

/**
 * The lines of one top-level YAML mapping entry of `section` indentation (e.g. a compose service `  name:`), up to
 * the next entry, comment or section at that indentation or less. Throws EditAnchorError when it is missing.
 */
export function yamlBlock(text: string, key: string, indent: string, file: string): string {
  const lines = text.split('\n');
  const start = lines.indexOf(`${indent}${key}:`);
  if (start < 0) throw new EditAnchorError(`${file}: no entry "${key}" to copy`);
  let end = start + 1;
  while (end < lines.length && (lines[end] === '' ? lines[end + 1]?.startsWith(`${indent} `) === true : lines[end]?.startsWith(`${indent} `) === true)) end++;
  return `${lines.slice(start, end).join('\n')}\n`;
}
