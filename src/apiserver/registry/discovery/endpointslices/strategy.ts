// endpointslices (discovery.k8s.io/v1): addressType is required and immutable, ports default to TCP, and the
// NAME ADDRESSTYPE PORTS ENDPOINTS AGE table. Generation: 1 on create; the generic store bumps it whenever
// anything outside metadata/status changes, which for a slice is its endpoints, ports and addressType.
import { isIPv4, isIPv6 } from 'node:net';
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { FieldError } from '../../../../api/errors.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortNum, validateImmutableField } from '../../../../api/validation/index.js';
import { resources } from '../../../../api/resources.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_ENDPOINTS = 1000;
const MAX_PORTS = 100;
const MAX_ADDRESSES = 100;

function listWithMore(list: string[], more: boolean, count: number, max: number): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - max} more...`;
  return ret === '' ? '<unset>' : ret;
}
export function formatDiscoveryPorts(ports: any[] | undefined): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const p of ports ?? []) {
    if (list.length < 3) list.push(p?.port != null ? String(p.port) : p?.name != null ? String(p.name) : '*');
    else if (list.length === 3) more = true;
    count++;
  }
  return listWithMore(list, more, count, 3);
}
export function formatDiscoveryEndpoints(endpoints: any[] | undefined): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const e of endpoints ?? []) {
    for (const a of e?.addresses ?? []) {
      if (list.length < 3) list.push(a);
      else if (list.length === 3) more = true;
      count++;
    }
  }
  return listWithMore(list, more, count, 3);
}

function validateSlice(s: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const at = s.addressType;
  if (!at) errs.push(FieldError.required('addressType'));
  else if (!ADDRESS_TYPES.includes(at)) errs.push(FieldError.notSupported('addressType', at, ADDRESS_TYPES));
  const endpoints: any[] = s.endpoints ?? [];
  if (endpoints.length > MAX_ENDPOINTS) errs.push(FieldError.invalid('endpoints', endpoints.length, `must have at most ${MAX_ENDPOINTS} items`));
  endpoints.forEach((e, i) => {
    const p = `endpoints[${i}]`;
    const addrs: any[] = e?.addresses ?? [];
    if (addrs.length === 0) errs.push(FieldError.required(`${p}.addresses`, 'must contain at least 1 address'));
    else if (addrs.length > MAX_ADDRESSES) errs.push(FieldError.invalid(`${p}.addresses`, addrs.length, `must have at most ${MAX_ADDRESSES} items`));
    addrs.forEach((a, j) => {
      const ap = `${p}.addresses[${j}]`;
      if (at === 'IPv4' && !isIPv4(a)) errs.push(FieldError.invalid(ap, a, 'must be a valid IPv4 address'));
      if (at === 'IPv6' && !isIPv6(a)) errs.push(FieldError.invalid(ap, a, 'must be a valid IPv6 address'));
      if (at === 'FQDN') for (const m of isDNS1123Subdomain(a)) errs.push(FieldError.invalid(ap, a, m));
    });
    if (e?.nodeName) for (const m of isDNS1123Subdomain(e.nodeName)) errs.push(FieldError.invalid(`${p}.nodeName`, e.nodeName, m));
    if (e?.hostname) for (const m of isDNS1123Label(e.hostname)) errs.push(FieldError.invalid(`${p}.hostname`, e.hostname, m));
  });
  const ports: any[] = s.ports ?? [];
  if (ports.length > MAX_PORTS) errs.push(FieldError.invalid('ports', ports.length, `must have at most ${MAX_PORTS} items`));
  const names = new Set<string>();
  ports.forEach((pt, i) => {
    const p = `ports[${i}]`;
    const name = pt?.name ?? '';
    if (name) for (const m of isDNS1123Label(name)) errs.push(FieldError.invalid(`${p}.name`, name, m));
    if (names.has(name)) errs.push(FieldError.duplicate(`${p}.name`, name));
    names.add(name);
    if (pt?.port != null) for (const m of isValidPortNum(pt.port)) errs.push(FieldError.invalid(`${p}.port`, pt.port, m));
    if (!pt?.protocol) errs.push(FieldError.required(`${p}.protocol`));
    else if (!PROTOCOLS.includes(pt.protocol)) errs.push(FieldError.notSupported(`${p}.protocol`, pt.protocol, PROTOCOLS));
  });
  return errs;
}

export const endpointslices: ResourceDefinition = {
  ...resources.endpointslices,
  strategy: {
    allowCreateOnUpdate: true,
    hasGeneration: true,
    defaults(obj) {
      for (const p of obj.ports ?? []) if (p && !p.protocol) p.protocol = 'TCP';
    },
    prepareForCreate(obj) { obj.metadata.generation = 1; },
    validate: (obj) => validateSlice(obj),
    validateUpdate: (newObj, oldObj) => [...validateSlice(newObj), ...validateImmutableField(newObj.addressType, oldObj.addressType, 'addressType')],
    table: {
      columns: [
        nameColumn(),
        column('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.'),
        column('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.'),
        column('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.'),
        ageColumn(),
      ],
      row: (o, now) => [o.metadata.name, o.addressType ?? '', formatDiscoveryPorts(o.ports), formatDiscoveryEndpoints(o.endpoints), translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};
