// Downward API field values (upstream pkg/fieldpath and kubelet's podFieldSelectorRuntimeValue), shared by env
// valueFrom.fieldRef and downwardAPI volume items. The pod's IPs and the host's IPs are passed in because the
// kubelet knows them before the API's pod status does (containers are created right after the sandbox).
import type { ObjectFieldSelector, Pod } from 'kubernetes-types/core/v1.js';
import { isQualifiedName } from '../../api/validation/names.js';

export interface PodAddresses {
  /** The pod's IPs, primary first (empty on host network before the node's IP is known). */
  podIPs: readonly string[];
  /** The node's IPs, primary first. */
  hostIPs: readonly string[];
}

/** Go's %q of a string, close enough for label and annotation values (JSON escapes are Go's for printable text). */
const goQuote = (s: string) => JSON.stringify(s);

/** Upstream's FormatMap: `key="value"` lines in key order, as metadata.labels / metadata.annotations read. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${goQuote(m![k])}`).join('\n');
}

/** Upstream's SplitMaybeSubscriptedPath: "metadata.labels['app']" → ["metadata.labels", "app"]. */
export function splitSubscript(fieldPath: string): { path: string; subscript?: string } {
  if (!fieldPath.endsWith("']")) return { path: fieldPath };
  const s = fieldPath.slice(0, -2);
  const i = s.indexOf("['");
  if (i <= 0) return { path: fieldPath };
  return { path: s.slice(0, i), subscript: s.slice(i + 2) };
}

/** ExtractFieldPathAsString on a pod: only metadata fields (what downwardAPI volumes may reference). */
export function podMetadataFieldValue(pod: Pod, fieldPath: string): string {
  const { path, subscript } = splitSubscript(fieldPath);
  const md = pod.metadata ?? {};
  if (subscript !== undefined) {
    if (path !== 'metadata.annotations' && path !== 'metadata.labels') throw new Error(`fieldPath "${fieldPath}" does not support subscript`);
    const errs = isQualifiedName(path === 'metadata.annotations' ? subscript.toLowerCase() : subscript);
    if (errs.length) throw new Error(`invalid key subscript in ${fieldPath}: ${errs.join(';')}`);
    return (path === 'metadata.annotations' ? md.annotations : md.labels)?.[subscript] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.annotations': return formatMap(md.annotations);
    case 'metadata.labels': return formatMap(md.labels);
    case 'metadata.name': return md.name ?? '';
    case 'metadata.namespace': return md.namespace ?? '';
    case 'metadata.uid': return md.uid ?? '';
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

/** An env var's valueFrom.fieldRef value (upstream's podFieldSelectorRuntimeValue). */
export function podFieldValue(pod: Pod, ref: ObjectFieldSelector, addrs: PodAddresses): string {
  if (ref.apiVersion && ref.apiVersion !== 'v1') throw new Error(`unsupported pod version: ${ref.apiVersion}`);
  switch (ref.fieldPath) {
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      if (!addrs.hostIPs.length) throw new Error('no host IP known for this node');
      return addrs.hostIPs[0];
    case 'status.hostIPs':
      if (!addrs.hostIPs.length) throw new Error('no host IP known for this node');
      return addrs.hostIPs.join(',');
    case 'status.podIP': return addrs.podIPs[0] ?? '';
    case 'status.podIPs': return addrs.podIPs.join(',');
  }
  return podMetadataFieldValue(pod, ref.fieldPath);
}
