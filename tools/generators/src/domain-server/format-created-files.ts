import path from 'node:path';
import type { Tree } from '@nx/devkit';
import prettier from 'prettier';

/**
 * Formats, with the workspace's Prettier options, the files the generator created under `roots` (folders relative
 * to the workspace root), so that a new project passes its lint however long the domain's name is. Files it only
 * edited keep their text: it inserts next to anchors and never reformats what was there.
 */
export async function formatCreatedFiles(tree: Tree, roots: readonly string[]): Promise<void> {
  const ignorePath = path.join(tree.root, '.prettierignore');
  for (const change of tree.listChanges()) {
    if (change.type !== 'CREATE' || change.content === null || !roots.some((root) => change.path.startsWith(`${root}/`))) continue;
    const file = path.join(tree.root, change.path);
    const info = await prettier.getFileInfo(file, { ignorePath });
    if (info.ignored || info.inferredParser === null) continue;
    const options = await prettier.resolveConfig(file);
    tree.write(change.path, await prettier.format(change.content.toString('utf8'), { ...options, filepath: file }));
  }
}
