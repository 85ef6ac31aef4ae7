// pods (core/v1): defaults, admission-time fields, spec immutability, status handling, field selectors, Table.
import { FieldError } from '../../../../api/errors.js';
import { semanticEqual } from '../../../../api/validation/index.js';
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { setPodDefaults } from './pod-defaults.js';
import { validatePodSpec } from './pod-validation.js';
import { computePodQOS } from './qos.js';
import { podColumns, podRow } from './pod-printer.js';
import { ephemeralContainersStrategy } from './ephemeral-containers.js';
import { resources } from '../../../../api/resources.js';
import { clone } from '../../object-meta.js';

/** The tolerations upstream's DefaultTolerationSeconds admission plugin adds to every pod. */
const DEFAULT_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

/** What admission plugins (ServiceAccount, Priority, DefaultTolerationSeconds) set on a new pod. */
function admitPod(pod: KubeObject): void {
  const spec = pod.spec;
  if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
  if (!spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  if (spec.priority == null && !spec.priorityClassName) spec.priority = 0;
  if (!spec.preemptionPolicy) spec.preemptionPolicy = 'PreemptLowerPriority';
  const tolerations: any[] = spec.tolerations ?? [];
  for (const t of DEFAULT_TOLERATIONS) {
    const covered = tolerations.some((x) => x && x.effect === t.effect && (x.key === t.key || (!x.key && x.operator === 'Exists')));
    if (!covered) tolerations.push({ ...t });
  }
  spec.tolerations = tolerations;
}

const UPDATABLE_FIELDS = '`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** Pod spec updates may only change images, activeDeadlineSeconds, and add tolerations (ValidatePodUpdate). */
function validatePodSpecUpdate(newSpec: any, oldSpec: any): FieldError[] {
  const munged = structuredClone(newSpec ?? {});
  const old = oldSpec ?? {};
  (munged.containers ?? []).forEach((c: any, i: number) => { if (old.containers?.[i]) c.image = old.containers[i].image; });
  (munged.initContainers ?? []).forEach((c: any, i: number) => { if (old.initContainers?.[i]) c.image = old.initContainers[i].image; });
  munged.activeDeadlineSeconds = old.activeDeadlineSeconds;
  const oldTolerations: any[] = old.tolerations ?? [];
  const newTolerations: any[] = munged.tolerations ?? [];
  const onlyAdded = oldTolerations.every((t) => newTolerations.some((n) => semanticEqual(n, t)));
  if (onlyAdded) munged.tolerations = old.tolerations;
  if ((old.terminationGracePeriodSeconds ?? 0) < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds;
  }
  const errs: FieldError[] = [];
  if (!semanticEqual(munged, old)) {
    const changed = Object.keys({ ...munged, ...old }).filter((k) => !semanticEqual(munged[k], old[k])).sort();
    errs.push(FieldError.forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_FIELDS}\n  changed: ${changed.map((k) => 'spec.' + k).join(', ')}`));
  }
  const activeDeadline = newSpec?.activeDeadlineSeconds;
  if (old.activeDeadlineSeconds != null && (activeDeadline == null || activeDeadline > old.activeDeadlineSeconds)) {
    if (activeDeadline !== old.activeDeadlineSeconds) {
      errs.push(FieldError.invalid('spec.activeDeadlineSeconds', activeDeadline ?? null, 'must be less than or equal to previous value'));
    }
  }
  return errs;
}

export const pods: ResourceDefinition = {
  ...resources.pods,
  strategy: {
    returnDeletedObject: true,
    // Pods bound to a node and not yet finished stay until their kubelet confirms (it deletes with grace 0).
    gracePeriod(pod, requested) {
      if (!pod.spec?.nodeName) return 0;
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') return 0;
      if (pod.metadata.deletionTimestamp && (pod.metadata.deletionGracePeriodSeconds ?? 0) === 0) return 0;
      return Math.max(0, requested ?? pod.spec?.terminationGracePeriodSeconds ?? 30);
    },
    hasStatus: true,
    defaults(obj) {
      obj.spec ??= {};
      setPodDefaults(obj.spec);
    },
    prepareForCreate(obj) {
      obj.spec ??= {};
      admitPod(obj);
      obj.status = { phase: 'Pending', qosClass: computePodQOS(obj.spec) };
    },
    subresources: {
      // The binding handler (handlers/binding.ts) checks and makes the whole change: spec.nodeName and the
      // PodScheduled condition.
      binding: { prepareForUpdate() { /* the handler's object is the update */ }, skipValidation: true },
      ephemeralcontainers: ephemeralContainersStrategy,
    },
    prepareForStatusUpdate(newObj, oldObj) {
      newObj.spec = clone(oldObj.spec);
      // Upstream keeps owner references away from the status endpoint (old kubelets corrupted them).
      if (oldObj.metadata.ownerReferences) newObj.metadata.ownerReferences = clone(oldObj.metadata.ownerReferences);
      else delete newObj.metadata.ownerReferences;
      if (oldObj.status?.qosClass && newObj.status) newObj.status.qosClass = oldObj.status.qosClass;
    },
    validate(obj) {
      const errs = validatePodSpec(obj.spec, 'spec');
      // Ephemeral containers come only through pods/ephemeralcontainers.
      if (obj.spec?.ephemeralContainers?.length) errs.push(FieldError.forbidden('spec.ephemeralContainers', 'cannot be set on create'));
      return errs;
    },
    validateUpdate(newObj, oldObj) {
      return [...validatePodSpec(newObj.spec, 'spec'), ...validatePodSpecUpdate(newObj.spec, oldObj.spec)];
    },
    // Upstream's ValidatePodStatusUpdate checks metadata (the store does) and the status fields (not checked
    // here); the spec, which prepareForStatusUpdate reset to the stored one, is not validated again.
    validateStatusUpdate() {
      return [];
    },
    fieldSelectors: {
      'spec.nodeName': (o) => o.spec?.nodeName ?? '',
      'spec.restartPolicy': (o) => o.spec?.restartPolicy ?? '',
      'spec.schedulerName': (o) => o.spec?.schedulerName ?? '',
      'spec.serviceAccountName': (o) => o.spec?.serviceAccountName ?? '',
      'spec.hostNetwork': (o) => String(o.spec?.hostNetwork === true),
      'status.phase': (o) => o.status?.phase ?? '',
      'status.podIP': (o) => o.status?.podIPs?.[0]?.ip ?? o.status?.podIP ?? '',
      'status.nominatedNodeName': (o) => o.status?.nominatedNodeName ?? '',
    },
    table: { columns: podColumns, row: podRow },
  },
};
