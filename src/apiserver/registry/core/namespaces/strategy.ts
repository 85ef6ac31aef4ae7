// namespaces (core/v1, cluster-scoped): status.phase Active and the "kubernetes" finalizer on create;
// the metadata.name label (NamespaceDefaultLabelName); spec.finalizers only change through /finalize.
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { FieldError } from '../../../../api/errors.js';
import { isQualifiedName } from '../../../../api/validation/index.js';
import { resources } from '../../../../api/resources.js';
import { keepSpec } from '../../status-subresource.js';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export const namespaces: ResourceDefinition = {
  ...resources.namespaces,
  strategy: {
    hasStatus: true,
    // The namespace controller empties a deleting namespace, then clears spec.finalizers through /finalize.
    deletionHeld: (ns) => (ns.spec?.finalizers?.length ?? 0) > 0,
    beginDeletion(ns) { ns.status = { ...(ns.status ?? {}), phase: 'Terminating' }; },
    defaults(obj) {
      // The name label is kept equal to the name on every write, as upstream's defaulting does.
      if (obj.metadata.name) obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: obj.metadata.name };
    },
    prepareForCreate(obj) {
      obj.status = { phase: 'Active' };
      obj.spec ??= {};
      const finalizers: string[] = obj.spec.finalizers ?? [];
      if (!finalizers.includes('kubernetes')) finalizers.push('kubernetes');
      obj.spec.finalizers = finalizers;
    },
    prepareForUpdate(newObj, oldObj) {
      newObj.spec = { ...(newObj.spec ?? {}), finalizers: structuredClone(oldObj.spec?.finalizers) };
      if (newObj.spec.finalizers === undefined) delete newObj.spec.finalizers;
      newObj.status = structuredClone(oldObj.status);
    },
    subresources: {
      // namespaces/finalize changes spec.finalizers and nothing else.
      finalize: {
        prepareForUpdate(newObj, oldObj) {
          const finalizers = newObj.spec?.finalizers;
          Object.assign(newObj, structuredClone(oldObj));
          newObj.spec = { ...(oldObj.spec ?? {}), finalizers: Array.isArray(finalizers) ? finalizers : [] };
        },
        skipValidation: true,
      },
    },
    prepareForStatusUpdate: keepSpec,
    validate(obj) {
      const errs: FieldError[] = [];
      for (const f of (obj.spec?.finalizers ?? []) as string[]) {
        for (const m of isQualifiedName(f)) errs.push(FieldError.invalid('spec.finalizers', f, m));
        // Unqualified names must be standard ones.
        if (!f.includes('/') && !['kubernetes', 'orphan', 'foregroundDeletion'].includes(f)) {
          errs.push(FieldError.invalid('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
        }
      }
      const phase = obj.status?.phase;
      if (phase && phase !== 'Active' && phase !== 'Terminating') errs.push(FieldError.notSupported('status.phase', phase, ['Active', 'Terminating']));
      return errs;
    },
    fieldSelectors: { 'status.phase': (o) => o.status?.phase ?? '' },
    table: {
      columns: [nameColumn(), column('Status', 'string', 'The status of the namespace'), ageColumn()],
      row: (o, now) => [o.metadata.name, o.status?.phase ?? '', translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};
