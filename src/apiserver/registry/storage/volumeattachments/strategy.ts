// volumeattachments (storage.k8s.io/v1, cluster-scoped): attacher, nodeName and exactly one source required, the
// spec immutable, the status subresource (the attacher writes status), and the NAME ATTACHER PV NODE ATTACHED AGE
// table of upstream's printers.
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { resources } from '../../../../api/resources.js';
import { FieldError } from '../../../../api/errors.js';
import { validateImmutableField } from '../../../../api/validation/index.js';
import { keepAllButStatus } from '../../status-subresource.js';

function validateVolumeAttachment(spec: any): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec?.attacher) errs.push(FieldError.required('spec.attacher'));
  if (!spec?.nodeName) errs.push(FieldError.required('spec.nodeName'));
  const src = spec?.source ?? {};
  if ((src.persistentVolumeName != null) === (src.inlineVolumeSpec != null)) {
    errs.push(FieldError.required('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
  } else if (src.persistentVolumeName === '') errs.push(FieldError.required('spec.source.persistentVolumeName', 'must specify non empty persistentVolumeName'));
  return errs;
}

export const volumeattachments: ResourceDefinition = {
  ...resources.volumeattachments,
  strategy: {
    hasStatus: true,
    prepareForCreate(obj) { delete obj.status; },
    prepareForUpdate(newObj, oldObj) { newObj.status = structuredClone(oldObj.status); if (newObj.status === undefined) delete newObj.status; },
    prepareForStatusUpdate: keepAllButStatus,
    validate: (obj) => validateVolumeAttachment(obj.spec),
    validateUpdate: (n, o) => [...validateVolumeAttachment(n.spec), ...validateImmutableField(n.spec, o.spec, 'spec')],
    table: {
      columns: [
        nameColumn(),
        column('Attacher', 'string', 'attacher indicates the name of the volume driver that MUST handle this request. This is the name returned by GetPluginName().', { format: 'name' }),
        column('PV', 'string', 'persistentVolumeName represents the name of the persistent volume to attach.'),
        column('Node', 'string', 'nodeName represents the node that the volume should be attached to.'),
        column('Attached', 'boolean', 'attached indicates the volume is successfully attached. This field must only be set by the entity completing the attach operation, i.e. the external-attacher.'),
        ageColumn(),
      ],
      row: (o, now) => [o.metadata.name, o.spec?.attacher ?? '', o.spec?.source?.persistentVolumeName ?? '', o.spec?.nodeName ?? '',
        o.status?.attached ?? false, translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};
