import { describe, expect, it } from 'vitest';
import { ownersOf, parseCodeOwners } from './code-owners.ts';

describe('ownersOf', () => {
  const rules = parseCodeOwners('# comment\n*  @o/all\n/apps/a/  @o/a\n/apps/a/special.ts @o/s @o/a\n/docs/*.md @o/docs\n');

  it('takes the last matching rule', () => {
    expect(ownersOf(rules, 'apps/a/src/main.ts')).toEqual(['@o/a']);
    expect(ownersOf(rules, 'apps/a/special.ts')).toEqual(['@o/s', '@o/a']);
    expect(ownersOf(rules, 'apps/ab/main.ts')).toEqual(['@o/all']);
    expect(ownersOf(rules, 'docs/x.md')).toEqual(['@o/docs']);
    expect(ownersOf(rules, 'docs/sub/x.md')).toEqual(['@o/all']);
  });
});
