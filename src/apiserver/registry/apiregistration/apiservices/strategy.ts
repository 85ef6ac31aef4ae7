// apiservices (apiregistration.k8s.io/v1, cluster-scoped): what kube-aggregator serves. nanokube aggregates no
// other servers, so the APIServices are the Local ones upstream's autoregister controller keeps for each
// built-in group/version (the apiserver writes them at start, bootstrap.ts), each Available True/Local; the
// validation and the NAME SERVICE AVAILABLE AGE table are upstream's.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { resources } from '../../../../api/resources.js';
import { FieldError } from '../../../../api/errors.js';
import { isDNS1035Label, isDNS1123Subdomain, type NameValidator } from '../../../../api/validation/index.js';

/** ValidateAPIServiceName: "<version>.<group>", "v1." for the core group. */
export const apiServiceNameValidator: NameValidator = (name) => {
  const dot = name.indexOf('.');
  if (dot <= 0) return ['must be in the form: <version>.<group>'];
  const group = name.slice(dot + 1);
  return [...isDNS1035Label(name.slice(0, dot)), ...(group ? isDNS1123Subdomain(group) : [])];
};

function validateAPIService(a: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = a.spec ?? {};
  const group: string = spec.group ?? '';
  const version: string = spec.version ?? '';
  const required = `${version}.${group}`;
  if (a.metadata.name !== required) errs.push(FieldError.invalid('metadata.name', a.metadata.name, `must be \`spec.version+"."+spec.group\`: "${required}"`));
  if (!group && version !== 'v1') errs.push(FieldError.required('spec.group', 'only v1 may have an empty group and it better be legacy kube'));
  if (group) for (const m of isDNS1123Subdomain(group)) errs.push(FieldError.invalid('spec.group', group, m));
  for (const m of isDNS1035Label(version)) errs.push(FieldError.invalid('spec.version', version, m));
  const gpm = spec.groupPriorityMinimum ?? 0;
  if (gpm <= 0 || gpm > 20000) errs.push(FieldError.invalid('spec.groupPriorityMinimum', gpm, 'must be positive and less than 20000'));
  const vp = spec.versionPriority ?? 0;
  if (vp <= 0 || vp > 1000) errs.push(FieldError.invalid('spec.versionPriority', vp, 'must be positive and less than 1000'));
  if (spec.service == null) {
    if (spec.caBundle) errs.push(FieldError.invalid('spec.caBundle', spec.caBundle, 'local APIServices may not have a caBundle'));
    if (spec.insecureSkipTLSVerify) errs.push(FieldError.invalid('spec.insecureSkipTLSVerify', spec.insecureSkipTLSVerify, 'local APIServices may not have insecureSkipTLSVerify'));
    return errs;
  }
  if (!spec.service.namespace) errs.push(FieldError.required('spec.service.namespace'));
  if (!spec.service.name) errs.push(FieldError.required('spec.service.name'));
  if (spec.insecureSkipTLSVerify && spec.caBundle) errs.push(FieldError.invalid('spec.insecureSkipTLSVerify', spec.insecureSkipTLSVerify, 'may not be true if caBundle is present'));
  return errs;
}

function availableCell(a: KubeObject): string {
  const c = (a.status?.conditions ?? []).find((x: any) => x?.type === 'Available');
  if (!c) return 'Unknown';
  return c.status === 'True' ? 'True' : `${c.status} (${c.reason})`;
}

export const apiservices: ResourceDefinition = {
  ...resources.apiservices,
  strategy: {
    hasStatus: true,
    defaults(obj) { obj.spec ??= {}; if (obj.spec.service && obj.spec.service.port == null) obj.spec.service.port = 443; },
    prepareForCreate(obj) { obj.status = {}; },
    validate: (obj) => validateAPIService(obj),
    validateUpdate: (obj) => validateAPIService(obj),
    table: {
      columns: [
        nameColumn(),
        column('Service', 'string', 'The reference to the service that hosts this API endpoint.'),
        column('Available', 'string', 'Whether this service is available.'),
        ageColumn(),
      ],
      row: (o, now) => [o.metadata.name, o.spec?.service ? `${o.spec.service.namespace}/${o.spec.service.name}` : 'Local', availableCell(o), translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};
