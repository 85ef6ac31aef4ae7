// endpoints (core/v1): port protocol defaults, address/port validation, and the ENDPOINTS column
// ("10.0.0.1:80,10.0.0.2:80 + 3 more...").
import { isIP } from 'node:net';
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { FieldError } from '../../../../api/errors.js';
import { isDNS1123Label, isValidPortNum } from '../../../../api/validation/index.js';
import { resources } from '../../../../api/resources.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** upstream formatEndpoints with all ports: at most 3 entries, then " + N more...". */
export function formatEndpoints(ep: KubeObject): string {
  const subsets: any[] = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addrs: any[] = ss?.addresses ?? [];
    const ports: any[] = ss?.ports ?? [];
    if (ports.length === 0) {
      count += addrs.length;
      for (const a of addrs) { if (list.length === max) { more = true; break; } list.push(a?.ip ?? ''); }
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) { if (list.length === max) { more = true; break; } list.push(hostPort(a?.ip ?? '', p?.port ?? 0)); }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

function validateEndpoints(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  (obj.subsets ?? []).forEach((ss: any, i: number) => {
    const p = `subsets[${i}]`;
    for (const kind of ['addresses', 'notReadyAddresses']) {
      (ss?.[kind] ?? []).forEach((a: any, j: number) => {
        if (!isIP(a?.ip ?? '')) errs.push(FieldError.invalid(`${p}.${kind}[${j}].ip`, a?.ip ?? '', 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
      });
    }
    const ports: any[] = ss?.ports ?? [];
    ports.forEach((pt: any, j: number) => {
      const pp = `${p}.ports[${j}]`;
      if (ports.length > 1 && !pt?.name) errs.push(FieldError.required(`${pp}.name`));
      if (pt?.name) for (const m of isDNS1123Label(pt.name)) errs.push(FieldError.invalid(`${pp}.name`, pt.name, m));
      for (const m of isValidPortNum(pt?.port)) errs.push(FieldError.invalid(`${pp}.port`, pt?.port ?? 0, m));
      if (!pt?.protocol) errs.push(FieldError.required(`${pp}.protocol`));
      else if (!PROTOCOLS.includes(pt.protocol)) errs.push(FieldError.notSupported(`${pp}.protocol`, pt.protocol, PROTOCOLS));
    });
  });
  return errs;
}

export const endpoints: ResourceDefinition = {
  ...resources.endpoints,
  strategy: {
    allowCreateOnUpdate: true,
    defaults(obj) {
      for (const ss of obj.subsets ?? []) for (const p of ss?.ports ?? []) if (p && !p.protocol) p.protocol = 'TCP';
    },
    validate: (obj) => validateEndpoints(obj),
    table: {
      columns: [nameColumn(), column('Endpoints', 'string', 'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.'), ageColumn()],
      row: (o, now) => [o.metadata.name, formatEndpoints(o), translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};
