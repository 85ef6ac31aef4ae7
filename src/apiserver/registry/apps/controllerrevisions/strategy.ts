// controllerrevisions (apps/v1): the immutable snapshots StatefulSets and DaemonSets keep as their history
// (ValidateControllerRevision / ValidateControllerRevisionUpdate) and the NAME CONTROLLER REVISION AGE table.
import type { ResourceDefinition } from '../../types.js';
import type { KubeObject } from '../../../../api/object.js';
import { FieldError } from '../../../../api/errors.js';
import { getControllerOf } from '../../../../api/object.js';
import { semanticEqual } from '../../../../api/validation/index.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { validateNonnegative } from '../workload.js';
import { resources } from '../../../../api/resources.js';

function validateControllerRevision(cr: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (cr.data == null) errs.push(FieldError.required('data', 'data is mandatory'));
  errs.push(...validateNonnegative(cr.revision, 'revision'));
  return errs;
}

/** formatResourceName of the controller: "<kind>.<group>/<name>" in lowercase kind, "<none>" without one. */
function controllerName(cr: KubeObject): string {
  const ref = getControllerOf(cr);
  if (!ref) return '<none>';
  const group = ref.apiVersion?.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`;
}

export const controllerrevisions: ResourceDefinition = {
  ...resources.controllerrevisions,
  strategy: {
    validate: (obj) => validateControllerRevision(obj),
    validateUpdate(newObj, oldObj) {
      const errs = validateControllerRevision(newObj);
      if (!semanticEqual(newObj.data, oldObj.data)) errs.push(FieldError.invalid('data', newObj.data, 'field is immutable'));
      return errs;
    },
    table: {
      columns: [
        nameColumn(),
        column('Controller', 'string', 'Controller of the object'),
        column('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
        ageColumn(),
      ],
      row: (o, now) => [o.metadata.name, controllerName(o), o.revision ?? 0, translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};
