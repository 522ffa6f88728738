import type { Tree } from '@nx/devkit';
import { EditAnchorError } from './text-edits.ts';

/** A workspace file's text; fails with the file's name when it is gone (an edit's anchor file). */
export function read(tree: Tree, file: string): string {
  const text = tree.read(file, 'utf-8');
  if (text === null) throw new EditAnchorError(`${file} does not exist`);
  return text;
}

/** Rewrites a workspace file's text with `change`. */
export function edit(tree: Tree, file: string, change: (text: string) => string): void {
  tree.write(file, change(read(tree, file)));
}
