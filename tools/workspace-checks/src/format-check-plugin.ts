import path from 'node:path';
import type { CreateNodes, CreateNodesResult, TargetConfiguration } from '@nx/devkit';

/** Options of the plugin in nx.json. */
export interface FormatCheckPluginOptions {
  /**
   * Root of the project whose format check also covers the files outside every project (root configs, deploy/,
   * .github/). Default `tools/workspace-checks`.
   */
  readonly workspaceFilesProject?: string;
}

/** The folders holding projects (the workspaces of package.json); everything else belongs to no project. */
const PROJECT_FOLDERS = ['apps', 'libs', 'tools'];
const CONFIG_INPUTS = ['{workspaceRoot}/.prettierrc.json', '{workspaceRoot}/.prettierignore', { externalDependencies: ['prettier'] }];

/**
 * Gives every project a cached `format-check` target, `prettier --check` over its root, which `lint` depends on
 * (nx.json targetDefaults): a file that is not formatted fails the lint of its project. Run from the workspace root
 * so the root .prettierignore and .gitignore apply.
 */
export const createNodes: CreateNodes<FormatCheckPluginOptions> = [
  '{apps,libs,tools}/**/package.json',
  (files, options) => {
    const workspaceFilesProject = options?.workspaceFilesProject ?? 'tools/workspace-checks';
    return files
      .filter((file) => !file.includes('node_modules/'))
      .map((file) => {
        const root = path.posix.dirname(file);
        const target = root === workspaceFilesProject ? workspaceFilesTarget(root) : projectTarget(root);
        const result: CreateNodesResult = { projects: { [root]: { targets: { 'format-check': target } } } };
        return [file, result] as const;
      });
  },
];

function projectTarget(root: string): TargetConfiguration {
  return {
    command: `prettier --check --log-level warn ${root}`,
    cache: true,
    inputs: ['default', ...CONFIG_INPUTS],
  };
}

function workspaceFilesTarget(root: string): TargetConfiguration {
  const outside = PROJECT_FOLDERS.map((folder) => `'!${folder}/**'`).join(' ');
  return {
    command: `prettier --check --log-level warn ${root} && prettier --check --log-level warn . ${outside}`,
    // Not cached, and the files outside the projects are not declared as inputs: an input that wide would make this
    // project (and what depends on it) affected by every change, and nx affected would select it for a deploy/ edit.
    cache: false,
    inputs: ['default', ...CONFIG_INPUTS],
  };
}
