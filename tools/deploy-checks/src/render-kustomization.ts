import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from './repo-root.ts';
import { requireTool, runCommand } from './run-command.ts';

/** A rendered Kubernetes object, as plain data. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

/** The kubectl these checks use: `KUBECTL` when set, else `kubectl` on PATH. */
export const KUBECTL: string = process.env['KUBECTL'] ?? 'kubectl';

// The kubectl probe runs once per process, not once per rendered directory.
let kubectlAvailable: Promise<void> | undefined;

/**
 * Renders a kustomization directory (relative to the repository root) with `kubectl kustomize` and returns its
 * objects. Rejects with kubectl's message when rendering fails, and with a clear line when kubectl is missing.
 */
export async function renderKustomization(directory: string): Promise<KubeObject[]> {
  kubectlAvailable ??= requireTool(KUBECTL, ['version', '--client'], 'install kubectl, or set KUBECTL to its path');
  await kubectlAvailable;
  const result = await runCommand(KUBECTL, ['kustomize', directory], { cwd: REPO_ROOT });
  if (result.code !== 0) throw new Error(`kubectl kustomize ${directory} failed: ${result.stderr.trim()}`);
  return parseAllDocuments(result.stdout).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`kubectl kustomize ${directory} printed invalid YAML: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    return value === null || value === undefined ? [] : [value as KubeObject];
  });
}
