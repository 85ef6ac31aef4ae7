// csinodes (storage.k8s.io/v1, cluster-scoped): each driver names itself and its nodeID, driver names are unique,
// and the NAME DRIVERS AGE table of upstream's printers.
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { resources } from '../../../../api/resources.js';
import { FieldError } from '../../../../api/errors.js';

export const csinodes: ResourceDefinition = {
  ...resources.csinodes,
  strategy: {
    validate(obj) {
      const errs: FieldError[] = [];
      const drivers = obj.spec?.drivers;
      if (!Array.isArray(drivers)) return [FieldError.required('spec.drivers')];
      const seen = new Set<string>();
      drivers.forEach((d: any, i: number) => {
        const p = `spec.drivers[${i}]`;
        if (!d?.name) errs.push(FieldError.required(`${p}.name`));
        else if (seen.has(d.name)) errs.push(FieldError.duplicate(`${p}.name`, d.name));
        else seen.add(d.name);
        if (!d?.nodeID) errs.push(FieldError.required(`${p}.nodeID`));
      });
      return errs;
    },
    table: {
      columns: [nameColumn(), column('Drivers', 'integer', 'Drivers indicates the number of CSI drivers registered on the node'), ageColumn()],
      row: (o, now) => [o.metadata.name, (o.spec?.drivers ?? []).length, translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};
