// csidrivers (storage.k8s.io/v1, cluster-scoped): upstream's defaults (attachRequired true, podInfoOnMount,
// requiresRepublish and storageCapacity false, fsGroupPolicy ReadWriteOnceWithFSType, volumeLifecycleModes
// [Persistent], seLinuxMount false), attachRequired and volumeLifecycleModes immutable, and the printers' table.
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { resources } from '../../../../api/resources.js';
import { FieldError } from '../../../../api/errors.js';
import { isDNS1123Subdomain, validateImmutableField } from '../../../../api/validation/index.js';

const FS_GROUP_POLICIES = ['File', 'None', 'ReadWriteOnceWithFSType'];
const LIFECYCLE_MODES = ['Ephemeral', 'Persistent'];

export const csidrivers: ResourceDefinition = {
  ...resources.csidrivers,
  strategy: {
    hasGeneration: true,
    defaults(obj) {
      const spec = (obj.spec ??= {});
      if (typeof spec !== 'object') return;
      spec.attachRequired ??= true;
      spec.podInfoOnMount ??= false;
      spec.storageCapacity ??= false;
      spec.requiresRepublish ??= false;
      spec.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
      spec.seLinuxMount ??= false;
      if (!Array.isArray(spec.volumeLifecycleModes) || spec.volumeLifecycleModes.length === 0) spec.volumeLifecycleModes = ['Persistent'];
    },
    prepareForCreate(obj) { obj.metadata.generation = 1; },
    validate(obj) {
      const errs: FieldError[] = [];
      const name = String(obj.metadata.name ?? '');
      if (name.length > 63) errs.push(new FieldError('FieldValueTooLong', 'metadata.name', name, 'must be no more than 63 characters'));
      for (const m of isDNS1123Subdomain(name.toLowerCase())) errs.push(FieldError.invalid('metadata.name', name, m));
      const spec = obj.spec ?? {};
      if (spec.fsGroupPolicy != null && !FS_GROUP_POLICIES.includes(spec.fsGroupPolicy)) errs.push(FieldError.notSupported('spec.fsGroupPolicy', spec.fsGroupPolicy, FS_GROUP_POLICIES));
      (spec.volumeLifecycleModes ?? []).forEach((m: string, i: number) => {
        if (!LIFECYCLE_MODES.includes(m)) errs.push(FieldError.notSupported(`spec.volumeLifecycleModes[${i}]`, m, LIFECYCLE_MODES));
      });
      return errs;
    },
    validateUpdate: (n, o) => [
      ...validateImmutableField(n.spec?.attachRequired, o.spec?.attachRequired, 'spec.attachRequired'),
      ...validateImmutableField(n.spec?.volumeLifecycleModes, o.spec?.volumeLifecycleModes, 'spec.volumeLifecycleModes'),
    ],
    table: {
      columns: [
        nameColumn(),
        column('AttachRequired', 'boolean', 'attachRequired indicates this CSI volume driver requires an attach operation (because it implements the CSI ControllerPublishVolume() method), and that the Kubernetes attach detach controller should call the attach volume interface which checks the volumeattachment status and waits until the volume is attached before proceeding to mounting.'),
        column('PodInfoOnMount', 'boolean', 'podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true. If set to false, pod information will not be passed on mount. Default is false.'),
        column('StorageCapacity', 'boolean', 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if set to true.'),
        column('TokenRequests', 'string', "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for to do necessary authentication."),
        column('RequiresRepublish', 'boolean', 'requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume. This field defaults to false.'),
        column('Modes', 'string', 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.'),
        ageColumn(),
      ],
      row(o, now) {
        const s = o.spec ?? {};
        const modes = (s.volumeLifecycleModes ?? []).join(',') || '<none>';
        const tokens = s.tokenRequests != null ? s.tokenRequests.map((t: any) => t?.audience ?? '').join(',') : '<unset>';
        return [o.metadata.name, s.attachRequired ?? true, s.podInfoOnMount ?? false, s.storageCapacity ?? false, tokens, s.requiresRepublish ?? false,
          modes, translateTimestampSince(o.metadata.creationTimestamp, now)];
      },
    },
  },
};
