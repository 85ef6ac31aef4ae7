// The object shapes the workload controllers read and write: kubernetes-types' definitions, made compatible with the
// client's KubeObject. Objects from informer caches are frozen: clone (structuredClone) before changing them.
import type { Deployment as KDeployment, DeploymentStatus as KDeploymentStatus, ReplicaSet as KReplicaSet, ReplicaSetStatus as KReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod as KPod, PodTemplateSpec as KPodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { OwnerReference as KOwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.js';

export type Pod = KPod & KubeObject;
// status is readonly in kubernetes-types; controllers compute it on their own clones.
export type ReplicaSetStatus = KReplicaSetStatus;
export type DeploymentStatus = KDeploymentStatus;
export type ReplicaSet = Omit<KReplicaSet, 'status'> & { status?: ReplicaSetStatus } & KubeObject;
export type Deployment = Omit<KDeployment, 'status'> & { status?: DeploymentStatus } & KubeObject;
export type DeploymentCondition = NonNullable<DeploymentStatus['conditions']>[number];
export type ReplicaSetCondition = NonNullable<ReplicaSetStatus['conditions']>[number];
export type PodTemplateSpec = KPodTemplateSpec;
export type OwnerReference = KOwnerReference;
