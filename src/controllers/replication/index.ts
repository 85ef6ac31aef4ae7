// The ReplicationController controller as a component (upstream pkg/controller/replication): the ReplicaSet
// controller reading ReplicationControllers as ReplicaSets, as upstream's ReplicationManager wraps its
// ReplicaSetController with conversions instead of a copy of the sync. Queue "replicationmanager", events from
// "replication-controller", pods owned as v1 ReplicationController.
import { resources } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';
import { ReplicaSetController, type ReplicaSetControllerOptions, type ReplicaSetKind } from '../replicaset/index.js';
import type { ReplicaSet } from '../shared/types.js';

/** An RC in the ReplicaSet shape: its selector map becomes matchLabels (labels.SelectorFromSet). */
export function replicationControllerAsReplicaSet(rc: KubeObject): ReplicaSet {
  const rs = structuredClone(rc) as KubeObject;
  rs.spec = { ...rs.spec, selector: { matchLabels: { ...(rc.spec?.selector ?? {}) } } };
  return rs as ReplicaSet;
}

export const replicationControllerManaged: ReplicaSetKind = {
  resource: resources.replicationcontrollers, gvk: { apiVersion: 'v1', kind: 'ReplicationController' },
  queue: 'replicationmanager', component: 'replication-controller',
  asReplicaSet: replicationControllerAsReplicaSet,
};

export function startReplicationManager(opts: Omit<ReplicaSetControllerOptions, 'kind'>): Promise<void> {
  return new ReplicaSetController({ ...opts, kind: replicationControllerManaged }).run();
}
