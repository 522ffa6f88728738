import type { KubeObject } from './render-kustomization.ts';

/** The parts of a container spec the checks read. */
export interface KubeContainer {
  readonly name: string;
  readonly image: string;
  readonly args?: readonly string[];
  readonly env?: readonly unknown[];
  readonly envFrom?: readonly unknown[];
  readonly restartPolicy?: string;
  readonly readinessProbe?: { readonly httpGet?: { readonly path: string } };
  readonly securityContext?: object;
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string }[];
}

/** The parts of a Deployment the checks read. */
export interface KubeDeployment {
  readonly strategy?: { readonly type?: string; readonly rollingUpdate?: { readonly maxUnavailable?: number | string; readonly maxSurge?: number | string } };
  readonly template: {
    readonly metadata: { readonly labels: Record<string, string>; readonly annotations?: Record<string, string> };
    readonly spec: { readonly containers: readonly KubeContainer[]; readonly initContainers?: readonly KubeContainer[] };
  };
}

/** The object of `kind` named `name`, if rendered. */
export function findObject(objects: readonly KubeObject[], kind: string, name: string): KubeObject | undefined {
  return objects.find((object) => object.kind === kind && object.metadata.name === name);
}

/** The `spec` of `object` as `T` (an empty object when there is none). */
export function specOf<T>(object: KubeObject | undefined): T {
  return (object?.['spec'] ?? {}) as T;
}
