/** What replaces a character PostgreSQL cannot store. */
const REPLACEMENT = '\uFFFD';

/**
 * `text` in a form PostgreSQL `text` and `jsonb` always accept and a log line can carry: NUL characters and unpaired
 * UTF-16 surrogates become U+FFFD, and a text longer than `max` characters is cut with `…[<length> chars]` appended.
 */
export function storableText(text: string, max: number): string {
  let out = text.length > max ? `${text.slice(0, max)}…[${text.length} chars]` : text;
  // slice() may split a surrogate pair: toWellFormed() repairs that too.
  if (!out.isWellFormed()) out = out.toWellFormed();
  return out.includes('\u0000') ? out.replaceAll('\u0000', REPLACEMENT) : out;
}
