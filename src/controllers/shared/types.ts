// The object shapes the workload controllers read and write: kubernetes-types' definitions, made compatible with the
// client's KubeObject. Objects from informer caches are frozen: clone (structuredClone) before changing them.
import type { Deployment as KDeployment, ReplicaSet as KReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod as KPod, PodTemplateSpec as KPodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { OwnerReference as KOwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../client/client.js';

export type Pod = KPod & KubeObject;
export type ReplicaSet = KReplicaSet & KubeObject;
export type Deployment = KDeployment & KubeObject;
export type PodTemplateSpec = KPodTemplateSpec;
export type OwnerReference = KOwnerReference;
