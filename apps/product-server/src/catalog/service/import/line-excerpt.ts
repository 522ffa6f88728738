/** Longest excerpt of a rejected line, in characters after escaping (plus `...` when the line goes on). */
export const MAX_EXCERPT_CHARS = 120;

// Kept as they are: letters and digits of any script, and printable ASCII except `<`, `>`, `&` (markup and
// entities: without them an excerpt pasted into HTML stays text) and the backtick. Quotes stay readable: the
// excerpt travels as a JSON string, which escapes them itself. Everything else (control characters, ANSI
// escape sequences, NUL, bidirectional and zero-width marks, line separators, unpaired surrogates, combining
// marks) is escaped.
const SAFE = /^[\p{L}\p{N} !"#$%'()*+,\-./0-9:;=?@A-Z[\\\]^_a-z{|}~]$/u;

/**
 * A short, inert excerpt of a line an import rejected, to help find it in the file: its start, with every
 * character outside {@link SAFE} written as `\uXXXX` (`\u{XXXXX}` above U+FFFF), cut to
 * {@link MAX_EXCERPT_CHARS} and marked `...` when cut. Escaping its own output changes nothing (the escape
 * characters are safe), so an excerpt stored earlier can be passed through again on the way out.
 */
export function lineExcerpt(text: string): string {
  let out = '';
  for (const char of text) {
    const escaped = SAFE.test(char) ? char : escape(char);
    if (out.length + escaped.length > MAX_EXCERPT_CHARS) return `${out}...`;
    out += escaped;
  }
  return out;
}

function escape(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
