import { describe, expect, it } from 'vitest';
import { EditAnchorError, insertAfter, insertBefore, yamlBlock } from './text-edits.ts';

describe('text edits', () => {
  it('insert next to the first anchor after a position, and fail naming the file when it is missing', () => {
    expect(insertBefore('a b a', 'a', 'x', 'f', 1)).toBe('a b xa');
    expect(insertAfter('one, two', /,\s*/, '1.5, ', 'f')).toBe('one, 1.5, two');
    expect(() => insertBefore('abc', 'z', 'x', 'file.ts')).toThrow(EditAnchorError);
    expect(() => insertBefore('abc', 'z', 'x', 'file.ts')).toThrow('file.ts: cannot find z');
  });

  it('cuts one YAML entry with its nested lines', () => {
    const text = 'services:\n  a:\n    image: x\n\n    env: 1\n  b:\n    image: y\n  # comment\nvolumes:\n';
    expect(yamlBlock(text, 'a', '  ', 'c.yml')).toBe('  a:\n    image: x\n\n    env: 1\n');
    expect(yamlBlock(text, 'b', '  ', 'c.yml')).toBe('  b:\n    image: y\n');
    expect(() => yamlBlock(text, 'c', '  ', 'c.yml')).toThrow('c.yml: no entry "c" to copy');
  });
});
