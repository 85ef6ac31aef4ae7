// replicasets (apps/v1): replicas default 1, pod template defaults, immutable selector, status handling,
// status.replicas field selector, and the NAME DESIRED CURRENT READY AGE table.
import type { ResourceDefinition } from '../../types.js';
import { formatLabelSelector } from '../../../../api/validation/index.js';
import { column, nameColumn, ageColumn, layoutContainerCells, containerColumns } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { setPodTemplateDefaults } from '../../core/pods/pod-defaults.js';
import { validateNonnegative, validateSelectorAndTemplate, workloadStatusHandling, validateSelectorUnchanged } from '../workload.js';
import type { KubeObject } from '../../../../api/object.js';
import { resources } from '../../../../api/resources.js';

function validateReplicaSet(rs: KubeObject) {
  const spec = rs.spec ?? {};
  return [
    ...validateNonnegative(spec.replicas, 'spec.replicas'),
    ...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...validateSelectorAndTemplate(spec, 'replicaset'),
  ];
}

export const replicasets: ResourceDefinition = {
  ...resources.replicasets,
  strategy: {
    hasGeneration: true,
    hasStatus: true,
    defaults(obj) {
      obj.spec ??= {};
      if (obj.spec.replicas == null) obj.spec.replicas = 1;
      setPodTemplateDefaults(obj.spec.template);
    },
    prepareForCreate(obj) {
      obj.status = { replicas: 0 };
      obj.metadata.generation = 1;
    },
    ...workloadStatusHandling,
    validate: (obj) => validateReplicaSet(obj),
    validateUpdate: (newObj, oldObj) => [...validateReplicaSet(newObj), ...validateSelectorUnchanged(newObj, oldObj)],
    fieldSelectors: { 'status.replicas': (o) => String(o.status?.replicas ?? 0) },
    table: {
      columns: [
        nameColumn(),
        column('Desired', 'integer', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
        column('Current', 'integer', 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
        column('Ready', 'integer', 'readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.'),
        ageColumn(),
        ...containerColumns(),
        column('Selector', 'string', "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", { priority: 1 }),
      ],
      row: (o, now) => {
        const [containers, images] = layoutContainerCells(o.spec?.template?.spec?.containers);
        return [o.metadata.name, o.spec?.replicas ?? 0, o.status?.replicas ?? 0, o.status?.readyReplicas ?? 0,
          translateTimestampSince(o.metadata.creationTimestamp, now), containers, images, formatLabelSelector(o.spec?.selector)];
      },
    },
  },
};
