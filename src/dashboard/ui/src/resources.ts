// The kinds the dashboard has a list and detail page for: where each lives in the API and which columns its list
// shows (kubectl get's, mostly). A kind not here has no page; add one entry to give it one.
import type { KubeObject } from './api';

export interface Column {
  title: string;
  /** Text of the cell (kept short: lists are virtualized rows of one line). */
  value(o: KubeObject): string | number;
  width?: string;
}

export interface ResourceType {
  kind: string;
  /** Lowercase plural as in the API path: pods, deployments. Also the page's path: /pods. */
  plural: string;
  group: string;
  version: string;
  namespaced: boolean;
  /** The sidebar section it is listed under. */
  section: 'Workloads' | 'Network' | 'Config' | 'Storage' | 'Cluster';
  columns: Column[];
  /** Scale (scale subresource), restart (pod template annotation), rollback (Deployment revisions). */
  actions?: Array<'scale' | 'restart' | 'rollback'>;
}

export function age(ts?: string): string {
  if (!ts) return '';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

const ageColumn: Column = { title: 'Age', value: (o) => age(o.metadata.creationTimestamp), width: '5rem' };
const n = (v: unknown) => (typeof v === 'number' ? v : 0);

/** What kubectl get pods prints as STATUS: a waiting or terminated reason, Terminating, or the phase. */
export function podStatus(p: KubeObject): string {
  if (p.metadata.deletionTimestamp) return 'Terminating';
  for (const c of p.status?.containerStatuses ?? []) {
    if (c.state?.waiting?.reason) return c.state.waiting.reason;
    if (c.state?.terminated?.reason && p.status?.phase !== 'Succeeded') return c.state.terminated.reason;
  }
  return p.status?.phase ?? 'Pending';
}

export function podReady(p: KubeObject): string {
  const cs: any[] = p.status?.containerStatuses ?? [];
  const total = (p.spec?.containers ?? []).length;
  return `${cs.filter((c) => c.ready).length}/${total}`;
}

export function nodeReady(node: KubeObject): boolean {
  return (node.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

function ports(svc: KubeObject): string {
  return (svc.spec?.ports ?? []).map((p: any) => `${p.port}${p.nodePort ? ':' + p.nodePort : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

export const RESOURCES: ResourceType[] = [
  { kind: 'Pod', plural: 'pods', group: '', version: 'v1', namespaced: true, section: 'Workloads', columns: [
    { title: 'Ready', value: podReady, width: '4rem' },
    { title: 'Status', value: podStatus, width: '9rem' },
    { title: 'Restarts', value: (p) => (p.status?.containerStatuses ?? []).reduce((a: number, c: any) => a + n(c.restartCount), 0), width: '5rem' },
    { title: 'Node', value: (p) => p.spec?.nodeName ?? '', width: '10rem' },
    ageColumn] },
  { kind: 'Deployment', plural: 'deployments', group: 'apps', version: 'v1', namespaced: true, section: 'Workloads', actions: ['scale', 'restart', 'rollback'], columns: [
    { title: 'Ready', value: (d) => `${n(d.status?.readyReplicas)}/${n(d.spec?.replicas)}`, width: '5rem' },
    { title: 'Up-to-date', value: (d) => n(d.status?.updatedReplicas), width: '6rem' },
    { title: 'Available', value: (d) => n(d.status?.availableReplicas), width: '6rem' },
    ageColumn] },
  { kind: 'ReplicaSet', plural: 'replicasets', group: 'apps', version: 'v1', namespaced: true, section: 'Workloads', actions: ['scale'], columns: [
    { title: 'Desired', value: (d) => n(d.spec?.replicas), width: '5rem' },
    { title: 'Current', value: (d) => n(d.status?.replicas), width: '5rem' },
    { title: 'Ready', value: (d) => n(d.status?.readyReplicas), width: '5rem' },
    ageColumn] },
  { kind: 'StatefulSet', plural: 'statefulsets', group: 'apps', version: 'v1', namespaced: true, section: 'Workloads', actions: ['scale', 'restart'], columns: [
    { title: 'Ready', value: (d) => `${n(d.status?.readyReplicas)}/${n(d.spec?.replicas)}`, width: '5rem' }, ageColumn] },
  { kind: 'DaemonSet', plural: 'daemonsets', group: 'apps', version: 'v1', namespaced: true, section: 'Workloads', actions: ['restart'], columns: [
    { title: 'Desired', value: (d) => n(d.status?.desiredNumberScheduled), width: '5rem' },
    { title: 'Ready', value: (d) => n(d.status?.numberReady), width: '5rem' }, ageColumn] },
  { kind: 'Job', plural: 'jobs', group: 'batch', version: 'v1', namespaced: true, section: 'Workloads', columns: [
    { title: 'Completions', value: (j) => `${n(j.status?.succeeded)}/${j.spec?.completions ?? 1}`, width: '7rem' },
    { title: 'Active', value: (j) => n(j.status?.active), width: '5rem' }, ageColumn] },
  { kind: 'CronJob', plural: 'cronjobs', group: 'batch', version: 'v1', namespaced: true, section: 'Workloads', columns: [
    { title: 'Schedule', value: (c) => c.spec?.schedule ?? '', width: '8rem' },
    { title: 'Suspend', value: (c) => String(!!c.spec?.suspend), width: '5rem' },
    { title: 'Last schedule', value: (c) => age(c.status?.lastScheduleTime), width: '7rem' }, ageColumn] },
  { kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', group: 'autoscaling', version: 'v2', namespaced: true, section: 'Workloads', columns: [
    { title: 'Reference', value: (h) => `${h.spec?.scaleTargetRef?.kind}/${h.spec?.scaleTargetRef?.name}`, width: '12rem' },
    { title: 'Min', value: (h) => h.spec?.minReplicas ?? 1, width: '3rem' },
    { title: 'Max', value: (h) => h.spec?.maxReplicas ?? '', width: '3rem' },
    { title: 'Replicas', value: (h) => n(h.status?.currentReplicas), width: '5rem' }, ageColumn] },
  { kind: 'Service', plural: 'services', group: '', version: 'v1', namespaced: true, section: 'Network', columns: [
    { title: 'Type', value: (s) => s.spec?.type ?? 'ClusterIP', width: '7rem' },
    { title: 'Cluster-IP', value: (s) => s.spec?.clusterIP ?? '', width: '8rem' },
    { title: 'Ports', value: ports, width: '12rem' }, ageColumn] },
  { kind: 'Endpoints', plural: 'endpoints', group: '', version: 'v1', namespaced: true, section: 'Network', columns: [
    { title: 'Endpoints', value: (e) => (e.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).flatMap((a: any) => (s.ports ?? [{}]).map((p: any) => `${a.ip}${p.port ? ':' + p.port : ''}`))).join(',') || '<none>' },
    ageColumn] },
  { kind: 'Ingress', plural: 'ingresses', group: 'networking.k8s.io', version: 'v1', namespaced: true, section: 'Network', columns: [
    { title: 'Class', value: (i) => i.spec?.ingressClassName ?? '', width: '7rem' },
    { title: 'Hosts', value: (i) => (i.spec?.rules ?? []).map((r: any) => r.host ?? '*').join(','), width: '14rem' }, ageColumn] },
  { kind: 'ConfigMap', plural: 'configmaps', group: '', version: 'v1', namespaced: true, section: 'Config', columns: [
    { title: 'Data', value: (c) => Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length, width: '4rem' }, ageColumn] },
  { kind: 'Secret', plural: 'secrets', group: '', version: 'v1', namespaced: true, section: 'Config', columns: [
    { title: 'Type', value: (s) => s.type ?? 'Opaque', width: '16rem' },
    { title: 'Data', value: (s) => Object.keys(s.data ?? {}).length, width: '4rem' }, ageColumn] },
  { kind: 'ServiceAccount', plural: 'serviceaccounts', group: '', version: 'v1', namespaced: true, section: 'Config', columns: [ageColumn] },
  { kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', group: '', version: 'v1', namespaced: true, section: 'Storage', columns: [
    { title: 'Status', value: (p) => p.status?.phase ?? '', width: '6rem' },
    { title: 'Volume', value: (p) => p.spec?.volumeName ?? '', width: '14rem' },
    { title: 'Capacity', value: (p) => p.status?.capacity?.storage ?? '', width: '6rem' }, ageColumn] },
  { kind: 'PersistentVolume', plural: 'persistentvolumes', group: '', version: 'v1', namespaced: false, section: 'Storage', columns: [
    { title: 'Capacity', value: (p) => p.spec?.capacity?.storage ?? '', width: '6rem' },
    { title: 'Status', value: (p) => p.status?.phase ?? '', width: '6rem' },
    { title: 'Claim', value: (p) => (p.spec?.claimRef ? `${p.spec.claimRef.namespace}/${p.spec.claimRef.name}` : ''), width: '14rem' }, ageColumn] },
  { kind: 'Node', plural: 'nodes', group: '', version: 'v1', namespaced: false, section: 'Cluster', columns: [
    { title: 'Status', value: (o) => (nodeReady(o) ? 'Ready' : 'NotReady') + (o.spec?.unschedulable ? ',SchedulingDisabled' : ''), width: '9rem' },
    { title: 'Version', value: (o) => o.status?.nodeInfo?.kubeletVersion ?? '', width: '7rem' },
    { title: 'Internal-IP', value: (o) => (o.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address ?? '', width: '8rem' }, ageColumn] },
  { kind: 'Namespace', plural: 'namespaces', group: '', version: 'v1', namespaced: false, section: 'Cluster', columns: [
    { title: 'Status', value: (o) => o.status?.phase ?? 'Active', width: '6rem' }, ageColumn] },
  { kind: 'Event', plural: 'events', group: '', version: 'v1', namespaced: true, section: 'Cluster', columns: [
    { title: 'Type', value: (e) => e.type ?? '', width: '5rem' },
    { title: 'Reason', value: (e) => e.reason ?? '', width: '9rem' },
    { title: 'Object', value: (e) => `${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}`, width: '14rem' },
    { title: 'Message', value: (e) => e.message ?? '' },
    { title: 'Last seen', value: (e) => age(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp), width: '5rem' }] },
];

/** The plural a person reads in the sidebar and headings. */
export function kindPlural(r: ResourceType): string {
  return ({ Endpoints: 'Endpoints', Ingress: 'Ingresses', HorizontalPodAutoscaler: 'HPAs', PersistentVolumeClaim: 'PV Claims', PersistentVolume: 'PersistentVolumes' } as Record<string, string>)[r.kind] ?? `${r.kind}s`;
}

export const byPlural = new Map(RESOURCES.map((r) => [r.plural, r]));
export const byKind = new Map(RESOURCES.map((r) => [r.kind, r]));

/** The API path of a collection (namespace undefined = all namespaces) or, with name, of one object. */
export function resourcePath(r: Pick<ResourceType, 'group' | 'version' | 'plural' | 'namespaced'>, namespace?: string, name?: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${r.plural}${name ? '/' + encodeURIComponent(name) : ''}`;
}

/** The dashboard page of one object. */
export function objectHref(r: Pick<ResourceType, 'plural' | 'namespaced'>, namespace: string | undefined, name: string): string {
  return r.namespaced ? `/${r.plural}/${encodeURIComponent(namespace ?? '')}/${encodeURIComponent(name)}` : `/${r.plural}/${encodeURIComponent(name)}`;
}
