// networkpolicies (networking.k8s.io/v1): upstream's defaults (policyTypes [Ingress], plus Egress when egress
// rules exist; port protocol TCP), validation of selectors, peers, ports and ipBlocks, and the NAME POD-SELECTOR
// AGE table. nanokube stores and serves them; no network plugin enforces them (the README says so).
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { resources } from '../../../../api/resources.js';
import { FieldError } from '../../../../api/errors.js';
import { formatLabelSelector, isValidPortName, isValidPortNum, validateLabelSelector } from '../../../../api/validation/index.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const POLICY_TYPES = ['Egress', 'Ingress'];

function parseCIDR(s: unknown): { bits: bigint; prefix: number; width: number } | undefined {
  if (typeof s !== 'string') return undefined;
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const prefix = Number(m[2]);
  const ip = m[1];
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) {
    const parts = ip.split('.').map(Number);
    if (parts.some((p) => p > 255) || prefix > 32) return undefined;
    return { bits: parts.reduce((a, p) => (a << 8n) | BigInt(p), 0n), prefix, width: 32 };
  }
  if (!ip.includes(':') || prefix > 128) return undefined;
  const [head, tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  if (tail === undefined && h.length !== 8) return undefined;
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { bits: groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n), prefix, width: 128 };
}

function validatePort(port: any, p: string): FieldError[] {
  const errs: FieldError[] = [];
  if (port?.protocol != null && !PROTOCOLS.includes(port.protocol)) errs.push(FieldError.notSupported(`${p}.protocol`, port.protocol, PROTOCOLS));
  if (port?.port == null) {
    if (port?.endPort != null) errs.push(FieldError.required(`${p}.port`, 'must specify port when endPort is specified'));
    return errs;
  }
  if (typeof port.port === 'number') {
    for (const m of isValidPortNum(port.port)) errs.push(FieldError.invalid(`${p}.port`, port.port, m));
    if (port.endPort != null) {
      if (port.endPort < port.port) errs.push(FieldError.invalid(`${p}.endPort`, port.endPort, 'must be greater than or equal to `port`'));
      for (const m of isValidPortNum(port.endPort)) errs.push(FieldError.invalid(`${p}.endPort`, port.endPort, m));
    }
  } else {
    if (port.endPort != null) errs.push(FieldError.invalid(`${p}.port`, port.port, 'must be a number when `endPort` is specified'));
    for (const m of isValidPortName(String(port.port))) errs.push(FieldError.invalid(`${p}.port`, port.port, m));
  }
  return errs;
}

function validatePeer(peer: any, p: string): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  if (peer?.podSelector != null) { n++; errs.push(...validateLabelSelector(peer.podSelector, `${p}.podSelector`)); }
  if (peer?.namespaceSelector != null) { n++; errs.push(...validateLabelSelector(peer.namespaceSelector, `${p}.namespaceSelector`)); }
  if (peer?.ipBlock != null) {
    n++;
    const ipb = peer.ipBlock;
    const cidr = parseCIDR(ipb.cidr);
    if (!ipb.cidr) errs.push(FieldError.required(`${p}.ipBlock.cidr`));
    else if (!cidr) errs.push(FieldError.invalid(`${p}.ipBlock.cidr`, ipb.cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
    (ipb.except ?? []).forEach((e: string, i: number) => {
      const ex = parseCIDR(e);
      const ep = `${p}.ipBlock.except[${i}]`;
      if (!ex) { errs.push(FieldError.invalid(ep, e, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')); return; }
      if (!cidr) return;
      const inside = ex.width === cidr.width && ex.prefix > cidr.prefix
        && (ex.bits >> BigInt(cidr.width - cidr.prefix)) === (cidr.bits >> BigInt(cidr.width - cidr.prefix));
      if (!inside) errs.push(FieldError.invalid(ep, e, 'must be a strict subset of `cidr`'));
    });
  }
  if (n === 0) errs.push(FieldError.required(p, 'must specify a peer'));
  else if (n > 1 && peer.ipBlock != null) errs.push(FieldError.forbidden(p, 'may not specify both ipBlock and another peer'));
  return errs;
}

function validateNetworkPolicy(np: KubeObject): FieldError[] {
  const spec = np.spec ?? {};
  const errs = validateLabelSelector(spec.podSelector, 'spec.podSelector');
  for (const [dir, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
    (spec[dir] ?? []).forEach((rule: any, i: number) => {
      const p = `spec.${dir}[${i}]`;
      (rule?.ports ?? []).forEach((port: any, j: number) => errs.push(...validatePort(port, `${p}.ports[${j}]`)));
      (rule?.[peers] ?? []).forEach((peer: any, j: number) => errs.push(...validatePeer(peer, `${p}.${peers}[${j}]`)));
    });
  }
  const types: string[] = spec.policyTypes ?? [];
  types.forEach((t, i) => { if (!POLICY_TYPES.includes(t)) errs.push(FieldError.notSupported(`spec.policyTypes[${i}]`, t, POLICY_TYPES)); });
  if (types.length > 2) errs.push(FieldError.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
  return errs;
}

export const networkpolicies: ResourceDefinition = {
  ...resources.networkpolicies,
  strategy: {
    hasGeneration: true,
    defaults(obj) {
      obj.spec ??= {};
      obj.spec.podSelector ??= {};
      for (const dir of ['ingress', 'egress']) for (const rule of obj.spec[dir] ?? []) for (const port of rule?.ports ?? []) if (port && port.protocol == null) port.protocol = 'TCP';
      if (!obj.spec.policyTypes?.length) obj.spec.policyTypes = obj.spec.egress?.length ? ['Ingress', 'Egress'] : ['Ingress'];
    },
    validate: (obj) => validateNetworkPolicy(obj),
    validateUpdate: (obj) => validateNetworkPolicy(obj),
    table: {
      columns: [
        nameColumn(),
        column('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies. The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods. In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace.'),
        ageColumn(),
      ],
      row: (o, now) => [o.metadata.name, formatLabelSelector(o.spec?.podSelector), translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};
