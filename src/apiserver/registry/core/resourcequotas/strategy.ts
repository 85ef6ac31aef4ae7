// resourcequotas (core/v1): spec.hard holds valid, non-negative quantities under valid resource names, scopes
// are upstream's; the status (hard and used) is written by the resource quota controller through /status; the
// NAME AGE REQUEST LIMIT table as upstream's printers (resources named "limits.*" in LIMIT, the rest in REQUEST).
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { resources } from '../../../../api/resources.js';
import { FieldError } from '../../../../api/errors.js';
import { isQualifiedName } from '../../../../api/validation/index.js';
import { quantityNumber } from '../../../../api/quantity.js';

export const RESOURCE_QUOTA_SCOPES = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating'];
const SCOPE_SELECTOR_OPERATORS = ['DoesNotExist', 'Exists', 'In', 'NotIn'];

/** A ResourceList: valid qualified names with valid, non-negative quantities. */
export function validateResourceList(list: Record<string, unknown> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(list ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(FieldError.invalid(`${path}[${k}]`, k, m));
    const q = quantityNumber(v);
    if (Number.isNaN(q)) errs.push(FieldError.invalid(`${path}[${k}]`, v, 'must be a valid quantity'));
    else if (q < 0) errs.push(FieldError.invalid(`${path}[${k}]`, v, 'must be greater than or equal to 0'));
  }
  return errs;
}

function validateResourceQuota(rq: KubeObject): FieldError[] {
  const spec = rq.spec ?? {};
  const errs = validateResourceList(spec.hard, 'spec.hard');
  (spec.scopes ?? []).forEach((s: string, i: number) => {
    if (!RESOURCE_QUOTA_SCOPES.includes(s)) errs.push(FieldError.notSupported(`spec.scopes[${i}]`, s, RESOURCE_QUOTA_SCOPES));
  });
  (spec.scopeSelector?.matchExpressions ?? []).forEach((r: any, i: number) => {
    const p = `spec.scopeSelector.matchExpressions[${i}]`;
    if (!RESOURCE_QUOTA_SCOPES.includes(r?.scopeName)) errs.push(FieldError.notSupported(`${p}.scopeName`, r?.scopeName ?? '', RESOURCE_QUOTA_SCOPES));
    if (!SCOPE_SELECTOR_OPERATORS.includes(r?.operator)) errs.push(FieldError.notSupported(`${p}.operator`, r?.operator ?? '', SCOPE_SELECTOR_OPERATORS));
  });
  errs.push(...validateResourceList(rq.status?.hard, 'status.hard'), ...validateResourceList(rq.status?.used, 'status.used'));
  return errs;
}

/** printResourceQuota: "resource: used/hard" pairs over status.hard, sorted by name. */
function quotaColumns(rq: KubeObject): [string, string] {
  const hard: Record<string, string> = rq.status?.hard ?? {};
  const used: Record<string, string> = rq.status?.used ?? {};
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const pieces = name.split('.');
    (pieces.length > 1 && pieces[0] === 'limits' ? limit : request).push(`${name}: ${used[name] ?? '0'}/${hard[name]}`);
  }
  return [request.join(', '), limit.join(', ')];
}

export const resourcequotas: ResourceDefinition = {
  ...resources.resourcequotas,
  strategy: {
    hasStatus: true,
    prepareForCreate(obj) { obj.status = {}; },
    validate: (obj) => validateResourceQuota(obj),
    validateUpdate: (obj) => validateResourceQuota(obj),
    table: {
      columns: [
        nameColumn(),
        ageColumn(),
        column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
        column('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
      ],
      row: (o, now) => [o.metadata.name, translateTimestampSince(o.metadata.creationTimestamp, now), ...quotaColumns(o)],
    },
  },
};
