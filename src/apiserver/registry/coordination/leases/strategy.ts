// leases (coordination.k8s.io/v1): used for node heartbeats and leader election.
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { FieldError } from '../../../../api/errors.js';
import { resources } from '../../../../api/resources.js';

export const leases: ResourceDefinition = {
  ...resources.leases,
  strategy: {
    allowCreateOnUpdate: true,
    validate(obj) {
      const errs: FieldError[] = [];
      const spec = obj.spec ?? {};
      if (spec.leaseDurationSeconds != null && spec.leaseDurationSeconds <= 0) {
        errs.push(FieldError.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
      }
      if (spec.leaseTransitions != null && spec.leaseTransitions < 0) {
        errs.push(FieldError.invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
      }
      const strategies = ['OldestEmulationVersion'];
      if (spec.strategy && !strategies.includes(spec.strategy)) errs.push(FieldError.notSupported('spec.strategy', spec.strategy, strategies));
      return errs;
    },
    table: {
      columns: [nameColumn(), column('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn()],
      row: (o, now) => [o.metadata.name, o.spec?.holderIdentity ?? '', translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};
