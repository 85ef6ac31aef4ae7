// componentstatuses (core/v1, deprecated since 1.19 and still served by 1.32): the health of the scheduler, the
// controller manager and the datastore, probed at each read and never stored (handlers/component-statuses.ts).
// The table is upstream's printer: NAME STATUS MESSAGE ERROR, from the Healthy condition.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn } from '../../printing.js';
import { resources } from '../../../../api/resources.js';

function row(o: KubeObject): unknown[] {
  const healthy = ((o.conditions ?? []) as Array<{ type?: string; status?: string; message?: string; error?: string }>).find((c) => c.type === 'Healthy');
  const status = !healthy ? 'Unknown' : healthy.status === 'True' ? 'Healthy' : 'Unhealthy';
  return [o.metadata?.name, status, healthy?.message ?? '', healthy?.error ?? ''];
}

export const componentStatuses: ResourceDefinition = {
  ...resources.componentStatuses, componentStatuses: true, deprecationWarning: 'v1 ComponentStatus is deprecated in v1.19+',
  strategy: {
    table: {
      columns: [
        nameColumn(),
        column('Status', 'string', 'Status of the component conditions'),
        column('Message', 'string', 'Message of the component conditions'),
        column('Error', 'string', 'Error of the component conditions'),
      ],
      row,
    },
  },
};
