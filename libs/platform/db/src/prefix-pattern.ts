/**
 * The LIKE pattern of "starts with `prefix`": `\`, `%` and `_` are escaped (PostgreSQL's default escape character is
 * `\`), so a caller's text matches literally. With a `text_pattern_ops` index (or a C-collated one) on the column,
 * PostgreSQL answers `column LIKE pattern` by a range scan of the index, not a full scan.
 */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}
