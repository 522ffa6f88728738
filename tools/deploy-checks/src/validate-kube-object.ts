import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, PersistentVolumeClaim, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { validateCustomResource } from './validate-custom-resource.ts';
import type { KubeObject } from './render-kustomization.ts';

interface Validatable {
  validate(): void;
}

// Every kind the manifests use; an object of any other kind is refused, so a new kind is added here on purpose.
const MODELS: Readonly<Record<string, new (data: never) => Validatable>> = {
  'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
};

/**
 * Validates one object against the Kubernetes OpenAPI schema of its kind (the `kubernetes-models` package), or a
 * Prometheus operator object against its CRD's schema (validate-custom-resource.ts).
 * Returns the problem as one line naming the object, or undefined when it is valid.
 */
export function validateKubeObject(object: KubeObject): string | undefined {
  const key = `${object.apiVersion}/${object.kind}`;
  const name = `${object.kind}/${object.metadata?.name ?? '?'}`;
  if (object.apiVersion === 'monitoring.coreos.com/v1') {
    const problems = validateCustomResource(object);
    return problems.length === 0 ? undefined : `${name}: ${problems.join('; ')}`;
  }
  const Model = MODELS[key];
  if (Model === undefined) return `${name}: no schema for ${key} in the checks (add it to validate-kube-object.ts)`;
  try {
    new Model(object as never).validate();
    return undefined;
  } catch (error) {
    return `${name}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
