import path from 'node:path';

/** Absolute path of the repository root (the folder holding the root package.json). */
export const REPO_ROOT: string = path.resolve(import.meta.dirname, '..', '..', '..');
