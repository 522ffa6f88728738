import { execFile } from 'node:child_process';
import path from 'node:path';

/** A system user's ids. */
export interface UserIds {
  readonly uid: number;
  readonly gid: number;
}

/**
 * The first folder on the way to any of `paths` that the user `ids` may not enter, or undefined when it reaches
 * them all. The kernel decides: `test -x <folder>` runs as that user, so modes, groups and ACLs all count, exactly
 * as they will for PostgreSQL run as that user. Paths that do not exist yet are checked up to their nearest
 * existing folder.
 */
export async function firstFolderUnreachableBy(ids: UserIds, paths: readonly string[]): Promise<string | undefined> {
  const checked = new Set<string>();
  for (const target of paths) {
    const absolute = path.resolve(target);
    const folders = absolute
      .split(path.sep)
      .filter(Boolean)
      .map((_, index, parts) => path.sep + parts.slice(0, index + 1).join(path.sep));
    for (const folder of [path.sep, ...folders]) {
      if (checked.has(folder)) continue;
      checked.add(folder);
      const verdict = await testAs(ids, ['-d', folder]);
      if (verdict === 'no') break;
      if ((await testAs(ids, ['-x', folder])) === 'no') return folder;
    }
  }
  return undefined;
}

/** `yes` when `test args…` succeeds as the user, `no` when it fails. */
function testAs(ids: UserIds, args: readonly string[]): Promise<'yes' | 'no'> {
  return new Promise((resolve) => {
    execFile('test', [...args], { uid: ids.uid, gid: ids.gid, timeout: 10_000 }, (error) => resolve(error === null ? 'yes' : 'no'));
  });
}
