/** One CODEOWNERS rule: a path pattern and its owners. */
export interface CodeOwnersRule {
  readonly pattern: string;
  readonly owners: readonly string[];
}

/** The rules of a CODEOWNERS file, in file order (comments and blank lines skipped). */
export function parseCodeOwners(text: string): CodeOwnersRule[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [pattern = '', ...owners] = line.split(/\s+/);
      return { pattern, owners };
    });
}

function patternToRegExp(pattern: string): RegExp {
  const anchored = pattern.startsWith('/');
  const body = pattern
    .replace(/^\//, '')
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*/g, '\u0000')
    .replace(/\*/g, '[^/]*')
    .replace(/\u0000/g, '.*');
  const directory = pattern.endsWith('/') ? '.*' : '(?:/.*)?';
  return new RegExp(`${anchored ? '^' : '(?:^|/)'}${body}${directory}$`);
}

/**
 * The owners of `file` (a repository-relative path without a leading slash): those of the last matching rule, as
 * GitHub applies CODEOWNERS. Supports the patterns the file uses: `*`, `/dir/`, `/dir/file`, `*` and `**` globs.
 */
export function ownersOf(rules: readonly CodeOwnersRule[], file: string): readonly string[] {
  let owners: readonly string[] = [];
  for (const rule of rules) if (rule.pattern === '*' || patternToRegExp(rule.pattern).test(file)) owners = rule.owners;
  return owners;
}
