// customresourcedefinitions (apiextensions.k8s.io/v1): upstream's defaults and validation; the status (conditions,
// acceptedNames, storedVersions) belongs to the apiserver's own controller (apiextensions/crd-controller.ts), which
// also serves the custom resources. The Table is the default one (NAME, CREATED AT), as upstream's.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { resources } from '../../../../api/resources.js';
import { DESCRIPTIONS, column, nameColumn } from '../../printing.js';
import { validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate } from '../../../apiextensions/crd-validation.js';

/** Holds a CRD until its custom resources are deleted (upstream's CustomResourceCleanupFinalizer). */
export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

function defaults(crd: KubeObject): void {
  const spec = crd.spec;
  if (!spec || typeof spec !== 'object') return;
  spec.conversion ??= { strategy: 'None' };
  const names = spec.names;
  if (names && typeof names === 'object' && typeof names.kind === 'string') {
    names.singular ||= names.kind.toLowerCase();
    names.listKind ||= `${names.kind}List`;
  }
}

export interface CrdCondition { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }

/** Sets a condition, keeping lastTransitionTime when its status did not change (upstream SetCRDCondition). */
export function setCondition(conditions: CrdCondition[] | undefined, c: CrdCondition, now: Date): CrdCondition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  const time = i >= 0 && list[i].status === c.status ? list[i].lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const next = { type: c.type, status: c.status, lastTransitionTime: time, reason: c.reason, message: c.message };
  if (i >= 0) list[i] = next; else list.push(next);
  return list;
}

const storageVersion = (crd: KubeObject): string | undefined => (crd.spec?.versions ?? []).find((v: any) => v?.storage)?.name;

export const customresourcedefinitions: ResourceDefinition = {
  ...resources.customresourcedefinitions,
  strategy: {
    hasGeneration: true,
    hasStatus: true,
    defaults,
    prepareForCreate(crd) {
      const sv = storageVersion(crd);
      crd.status = { conditions: [], acceptedNames: { plural: '', kind: '' }, storedVersions: sv ? [sv] : [] };
    },
    // Upstream's CRD storage: a delete sets deletionTimestamp, adds the cleanup finalizer and the Terminating
    // condition; the finalizer goes once every custom resource is gone (crd-controller.ts).
    deletionHeld: (crd) => !crd.metadata.deletionTimestamp,
    beginDeletion(crd) {
      crd.metadata.finalizers = [...new Set([...(crd.metadata.finalizers ?? []), CLEANUP_FINALIZER])];
      crd.status ??= {};
      crd.status.conditions = setCondition(crd.status.conditions, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending', message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon' }, new Date());
    },
    prepareForUpdate(crd, old) {
      crd.status = structuredClone(old.status);
      // A new storage version joins storedVersions (upstream's strategy does the same on update).
      const sv = storageVersion(crd);
      if (sv && crd.status && !(crd.status.storedVersions ?? []).includes(sv)) crd.status.storedVersions = [...(crd.status.storedVersions ?? []), sv];
    },
    // Upstream prints CRDs with the default table: NAME, CREATED AT (the timestamp itself, not an age).
    table: {
      columns: [nameColumn(), column('Created At', 'date', DESCRIPTIONS.creationTimestamp)],
      row: (crd) => [crd.metadata.name, crd.metadata.creationTimestamp],
    },
    validate: (crd) => validateCustomResourceDefinition(crd),
    validateUpdate: (crd, old) => validateCustomResourceDefinitionUpdate(crd, old),
  },
};
