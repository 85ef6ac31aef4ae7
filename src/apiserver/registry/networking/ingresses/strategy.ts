// ingresses (networking.k8s.io/v1): upstream's validation (validation.ts), the status subresource (main-resource
// writes keep status, status writes keep everything else), generation bumps on spec changes, and the
// NAME CLASS HOSTS ADDRESS PORTS AGE table of upstream's printers.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { resources } from '../../../../api/resources.js';
import { validateIngress, validateIngressStatus, validateIngressUpdate } from './validation.js';
import { keepAllButStatus } from '../../status-subresource.js';

/** Upstream's loadBalancerWidth: ADDRESS is cut to 16 characters (13 and "...") outside -o wide. */
const LOAD_BALANCER_WIDTH = 16;

export function formatIngressHosts(rules: any[] | undefined): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const rule of rules ?? []) {
    if (list.length === max) more = true;
    if (!more && rule?.host) list.push(rule.host);
  }
  if (list.length === 0) return '*';
  const ret = list.join(',');
  return more ? `${ret} + ${(rules ?? []).length - max} more...` : ret;
}

export function ingressAddress(obj: KubeObject, wide = false): string {
  const set = new Set<string>();
  for (const i of obj.status?.loadBalancer?.ingress ?? []) {
    if (i?.ip) set.add(i.ip);
    else if (i?.hostname) set.add(i.hostname);
  }
  let r = [...set].sort().join(',');
  if (!wide && r.length > LOAD_BALANCER_WIDTH) r = r.slice(0, LOAD_BALANCER_WIDTH - 3) + '...';
  return r;
}

export const ingresses: ResourceDefinition = {
  ...resources.ingresses,
  strategy: {
    hasGeneration: true,
    hasStatus: true,
    prepareForCreate(obj) {
      obj.status = {};
      obj.metadata.generation = 1;
    },
    prepareForStatusUpdate: keepAllButStatus,
    validate: (obj) => [...validateIngress(obj), ...validateIngressStatus(obj)],
    validateUpdate: (newObj) => [...validateIngressUpdate(newObj), ...validateIngressStatus(newObj)],
    table: {
      columns: [
        nameColumn(),
        column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
        column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
        column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
        column('Ports', 'string', 'Ports of TLS configurations that open'),
        ageColumn(),
      ],
      row: (o, now) => [o.metadata.name, o.spec?.ingressClassName ?? '<none>', formatIngressHosts(o.spec?.rules), ingressAddress(o),
        (o.spec?.tls ?? []).length ? '80, 443' : '80', translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};
