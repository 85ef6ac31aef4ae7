// Upstream defaulting of PodSpec and Container (pkg/apis/core/v1/defaults.go), shared by Pods and the pod
// templates of Deployments and ReplicaSets. Mutates in place; applying twice changes nothing.

/** Parses an image reference's tag and digest like the kubelet's parsers.ParseImageName. */
export function imageTagAndDigest(image: string): { tag: string; digest: string } {
  let rest = image;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) { digest = rest.slice(at + 1); rest = rest.slice(0, at); }
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  const tag = colon > lastSlash ? rest.slice(colon + 1) : '';
  return { tag, digest };
}

/** Always for ":latest" or an untagged, undigested image (docker normalises it to :latest); else IfNotPresent. */
export function defaultImagePullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  const { tag, digest } = imageTagAndDigest(image ?? '');
  if (tag === 'latest' || (tag === '' && digest === '')) return 'Always';
  return 'IfNotPresent';
}

function setProbeDefaults(p: any): void {
  if (!p || typeof p !== 'object') return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (p.httpGet) { p.httpGet.path ||= '/'; p.httpGet.scheme ||= 'HTTP'; }
  if (p.grpc && p.grpc.service === undefined) p.grpc.service = '';
}

export function setContainerDefaults(c: any): void {
  if (!c || typeof c !== 'object') return;
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultImagePullPolicy(c.image);
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  // Resources is a struct upstream, so it always serialises (as {} when empty).
  if (c.resources == null) c.resources = {};
  for (const p of c.ports ?? []) if (p && !p.protocol) p.protocol = 'TCP';
  for (const e of c.env ?? []) {
    const fr = e?.valueFrom?.fieldRef;
    if (fr && !fr.apiVersion) fr.apiVersion = 'v1';
    const rr = e?.valueFrom?.resourceFieldRef;
    if (rr && rr.divisor === undefined) rr.divisor = '0';
  }
  setProbeDefaults(c.livenessProbe);
  setProbeDefaults(c.readinessProbe);
  setProbeDefaults(c.startupProbe);
}

function setVolumeDefaults(v: any): void {
  if (!v || typeof v !== 'object') return;
  const sources = Object.keys(v).filter((k) => k !== 'name');
  if (sources.length === 0) v.emptyDir = {};
  if (v.secret) v.secret.defaultMode ??= 420;
  if (v.configMap) v.configMap.defaultMode ??= 420;
  if (v.downwardAPI) {
    v.downwardAPI.defaultMode ??= 420;
    for (const item of v.downwardAPI.items ?? []) if (item?.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
  }
  if (v.projected) v.projected.defaultMode ??= 420;
  if (v.hostPath && v.hostPath.type === undefined) v.hostPath.type = '';
}

/** SetDefaults_PodSpec plus container and volume defaults. */
export function setPodSpecDefaults(spec: any): void {
  if (!spec || typeof spec !== 'object') return;
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (spec.securityContext == null) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds == null) spec.terminationGracePeriodSeconds = 30;
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  for (const c of spec.initContainers ?? []) setContainerDefaults(c);
  for (const c of spec.containers ?? []) setContainerDefaults(c);
  for (const c of spec.ephemeralContainers ?? []) setContainerDefaults(c);
  for (const v of spec.volumes ?? []) setVolumeDefaults(v);
  if (spec.hostNetwork) {
    // With host networking every container port is also a host port.
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      for (const p of c?.ports ?? []) if (p && !p.hostPort) p.hostPort = p.containerPort;
    }
  }
}

/** SetDefaults_Pod: PodSpec defaults, enableServiceLinks, and requests defaulted from limits. */
export function setPodDefaults(spec: any): void {
  if (!spec || typeof spec !== 'object') return;
  setPodSpecDefaults(spec);
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const limits = c?.resources?.limits;
    if (limits && typeof limits === 'object') {
      c.resources.requests ??= {};
      for (const [k, v] of Object.entries(limits)) if (!(k in c.resources.requests)) c.resources.requests[k] = v;
    }
  }
  if (spec.enableServiceLinks == null) spec.enableServiceLinks = true;
}

/** Pod template defaults for workload controllers; also prints `creationTimestamp: null` as upstream does. */
export function setPodTemplateDefaults(template: any): void {
  if (!template || typeof template !== 'object') return;
  template.metadata ??= {};
  if (!('creationTimestamp' in template.metadata)) template.metadata.creationTimestamp = null;
  template.spec ??= {};
  setPodSpecDefaults(template.spec);
}
