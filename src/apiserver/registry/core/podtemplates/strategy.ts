// podtemplates (core/v1): pod template defaults and ValidatePodTemplate, and the NAME CONTAINERS IMAGES POD LABELS
// table.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import type { FieldError } from '../../../../api/errors.js';
import { formatLabels, validateAnnotations, validateLabels } from '../../../../api/validation/index.js';
import { column, nameColumn, layoutContainerCells, containerColumns } from '../../printing.js';
import { setPodTemplateDefaults } from '../pods/pod-defaults.js';
import { validatePodSpec } from '../pods/pod-validation.js';
import { resources } from '../../../../api/resources.js';

function validatePodTemplate(pt: KubeObject): FieldError[] {
  const t = pt.template ?? {};
  return [
    ...validateLabels(t.metadata?.labels, 'template.metadata.labels'),
    ...validateAnnotations(t.metadata?.annotations, 'template.metadata.annotations'),
    ...validatePodSpec(t.spec, 'template.spec'),
  ];
}

export const podtemplates: ResourceDefinition = {
  ...resources.podtemplates,
  strategy: {
    defaults(obj) { setPodTemplateDefaults(obj.template ??= {}); },
    validate: (obj) => validatePodTemplate(obj),
    validateUpdate: (obj) => validatePodTemplate(obj),
    table: {
      columns: [
        nameColumn(),
        ...containerColumns(0),
        column('Pod Labels', 'string', 'The labels for the pod template.'),
      ],
      row: (o) => {
        const [containers, images] = layoutContainerCells(o.template?.spec?.containers);
        return [o.metadata.name, containers, images, formatLabels(o.template?.metadata?.labels)];
      },
    },
  },
};
