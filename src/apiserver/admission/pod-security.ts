// PodSecurity (upstream k8s.io/pod-security-admission, the built-in plugin): a namespace's
// pod-security.kubernetes.io/{enforce,audit,warn}[-version] labels choose a Pod Security Standards level
// (pod-security-standards.ts) per mode. Pods that violate the enforce level are forbidden; violations of the warn
// level come back as Warning headers, of the audit level as the audit annotation
// pod-security.kubernetes.io/audit-violations. Workload objects with a pod template (Deployment, Job, ...) are only
// warned about and audited, never rejected, as upstream: their pods are what enforcement stops. Raising a
// namespace's enforce level warns about the existing pods that would violate it. Without labels every mode is
// privileged (upstream's default configuration). No exemptions are configured.
import { forbiddenResource, invalid, FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { noMutation, type AdmissionAttributes, type AdmissionPlugin } from './admission.js';
import {
  aggregate, evaluatePod, forbiddenDetail, forbiddenReason, levelVersionString,
  type LevelVersion, type PodSecurityLevel, type PodSecurityVersion,
} from './pod-security-standards.js';

const PREFIX = 'pod-security.kubernetes.io/';
const LEVELS: PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];
/** Existing pods checked when a namespace's enforce level rises (upstream's namespaceMaxPodsToCheck). */
const MAX_PODS_TO_CHECK = 3000;

export interface Policy { enforce: LevelVersion; audit: LevelVersion; warn: LevelVersion }

const rank = (l: PodSecurityLevel) => LEVELS.indexOf(l);

/** The namespace's policy from its labels (upstream's PolicyToEvaluate), and the label errors found. */
export function policyFromLabels(labels: Record<string, string> | undefined): { policy: Policy; errors: FieldError[] } {
  const latest = (): LevelVersion => ({ level: 'privileged', version: 'latest' });
  const policy: Policy = { enforce: latest(), audit: latest(), warn: latest() };
  const errors: FieldError[] = [];
  const l = labels ?? {};
  const level = (mode: keyof Policy): boolean => {
    const key = PREFIX + mode;
    if (!(key in l)) return false;
    const v = l[key];
    if ((LEVELS as string[]).includes(v)) { policy[mode].level = v as PodSecurityLevel; return true; }
    errors.push(FieldError.invalid(`metadata.labels[${key}]`, v, `must be one of ${LEVELS.join(', ')}`));
    // Enforce fails closed (restricted), audit and warn fail open (privileged), as upstream.
    policy[mode].level = mode === 'enforce' ? 'restricted' : 'privileged';
    return false;
  };
  const version = (mode: keyof Policy): boolean => {
    const key = `${PREFIX}${mode}-version`;
    if (!(key in l)) return false;
    const v = l[key];
    const m = /^v1\.(0|[1-9][0-9]*)$/.exec(v);
    if (v === 'latest') policy[mode].version = 'latest';
    else if (m) policy[mode].version = Number(m[1]) as PodSecurityVersion;
    else { policy[mode].version = 'latest'; errors.push(FieldError.invalid(`metadata.labels[${key}]`, v, 'must be "latest" or "v1.x"')); }
    return true;
  };
  const hasEnforce = level('enforce');
  version('enforce');
  level('audit');
  version('audit');
  const hasWarnLevel = (PREFIX + 'warn') in l;
  level('warn');
  const hasWarnVersion = version('warn');
  // An explicit enforce level stricter than warn raises warn to it, so users see what enforce will stop.
  if (!hasWarnLevel && hasEnforce && rank(policy.enforce.level) > rank(policy.warn.level)) {
    policy.warn.level = policy.enforce.level;
    if (!hasWarnVersion) policy.warn.version = policy.enforce.version;
  }
  return { policy, errors };
}

const sameLV = (a: LevelVersion, b: LevelVersion) => a.level === b.level && a.version === b.version;

/** Pods' subresources that carry no pod spec change worth checking. */
const IGNORED_POD_SUBRESOURCES = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);

/** What the plugin looks at: namespaces, pods, and the kinds podTemplateOf knows ("group/resource"). */
const POD_SECURITY_RESOURCES = ['/namespaces', '/pods', '/podtemplates', '/replicationcontrollers', 'apps/replicasets', 'apps/deployments',
  'apps/statefulsets', 'apps/daemonsets', 'batch/jobs', 'batch/cronjobs'];

/** Where an object keeps its pod template, for the kinds upstream checks. */
function podTemplateOf(group: string, resource: string, obj: KubeObject): { metadata?: any; spec?: any } | undefined {
  if (group === '' && resource === 'podtemplates') return obj.template;
  if ((group === '' && resource === 'replicationcontrollers') || (group === 'apps' && ['replicasets', 'deployments', 'statefulsets', 'daemonsets'].includes(resource)) || (group === 'batch' && resource === 'jobs')) return obj.spec?.template;
  if (group === 'batch' && resource === 'cronjobs') return obj.spec?.jobTemplate?.spec?.template;
  return undefined;
}

/** Upstream's isSignificantPodUpdate: only a change of container images (or a new ephemeral container) is re-checked. */
function significantPodUpdate(pod: KubeObject, old: KubeObject): boolean {
  const list = (p: KubeObject, k: string): any[] => (Array.isArray(p.spec?.[k]) ? p.spec[k] : []);
  for (const k of ['containers', 'initContainers']) {
    const a = list(pod, k), b = list(old, k);
    if (a.length !== b.length || a.some((c, i) => c?.image !== b[i]?.image)) return true;
  }
  return list(pod, 'ephemeralContainers').some((c) => {
    const o = list(old, 'ephemeralContainers').find((x) => x?.name === c?.name);
    return !o || o.image !== c?.image;
  });
}

export interface PodSecurityOptions {
  /** Reads a namespace; undefined when it does not exist. */
  getNamespace(name: string): Promise<KubeObject | undefined>;
  /** Lists the pods of a namespace (for the warning when its enforce level rises). */
  listPods(namespace: string): Promise<KubeObject[]>;
}

export function podSecurity(opts: PodSecurityOptions): AdmissionPlugin {
  /** Evaluates one pod (or template) under the namespace's policy: rejects, warns and annotates as upstream's EvaluatePod. */
  function evaluate(attrs: AdmissionAttributes, policy: Policy, labelErrors: FieldError[], meta: any, spec: any, enforce: boolean): void {
    if (labelErrors.length) attrs.annotate?.(`${PREFIX}error`, `Failed to parse policy: ${labelErrors.length === 1 ? labelErrors[0].toString() : `[${labelErrors.map((e) => e.toString()).join(', ')}]`}`);
    const cache = new Map<string, ReturnType<typeof aggregate>>();
    const result = (lv: LevelVersion) => {
      const key = levelVersionString(lv);
      if (!cache.has(key)) cache.set(key, aggregate(evaluatePod(lv, meta, spec)));
      return cache.get(key)!;
    };
    let rejection: Error | undefined;
    if (enforce) {
      attrs.annotate?.(`${PREFIX}enforce-policy`, levelVersionString(policy.enforce));
      const r = result(policy.enforce);
      if (!r.allowed) {
        rejection = forbiddenResource({ group: attrs.def.group, resource: attrs.def.resource }, attrs.object.metadata?.name,
          `violates PodSecurity ${JSON.stringify(levelVersionString(policy.enforce))}: ${forbiddenDetail(r)}`);
      }
    }
    const audit = result(policy.audit);
    if (!audit.allowed) attrs.annotate?.(`${PREFIX}audit-violations`, `would violate PodSecurity ${JSON.stringify(levelVersionString(policy.audit))}: ${forbiddenDetail(audit)}`);
    if (rejection) throw rejection; // no warnings on a request already rejected, as upstream
    const warn = result(policy.warn);
    if (!warn.allowed) attrs.warn?.(`would violate PodSecurity ${JSON.stringify(levelVersionString(policy.warn))}: ${forbiddenDetail(warn)}`);
  }

  async function namespacePolicy(name: string | undefined) {
    const ns = name ? await opts.getNamespace(name) : undefined;
    const { policy, errors } = policyFromLabels(ns?.metadata?.labels);
    return { policy, errors };
  }

  async function validatePod(attrs: AdmissionAttributes): Promise<void> {
    if (attrs.subresource && IGNORED_POD_SUBRESOURCES.has(attrs.subresource)) return;
    const { policy, errors } = await namespacePolicy(attrs.namespace);
    if (!errors.length && [policy.enforce, policy.audit, policy.warn].every((lv) => lv.level === 'privileged')) {
      attrs.annotate?.(`${PREFIX}enforce-policy`, 'privileged:latest');
      return;
    }
    if (attrs.operation === 'UPDATE' && attrs.oldObject && !significantPodUpdate(attrs.object, attrs.oldObject)) return;
    evaluate(attrs, policy, errors, attrs.object.metadata, attrs.object.spec, true);
  }

  async function validateController(attrs: AdmissionAttributes, template: { metadata?: any; spec?: any }): Promise<void> {
    if (attrs.subresource) return;
    const { policy, errors } = await namespacePolicy(attrs.namespace);
    if (!errors.length && policy.warn.level === 'privileged' && policy.audit.level === 'privileged') return;
    evaluate(attrs, policy, errors, template.metadata, template.spec, false);
  }

  /** Label validation, and upstream's dry run of a stricter enforce level against the namespace's pods. */
  async function validateNamespace(attrs: AdmissionAttributes): Promise<void> {
    if (attrs.subresource) return;
    const ns = attrs.object;
    const next = policyFromLabels(ns.metadata?.labels);
    const invalidLabels = () => invalid('Namespace', undefined, ns.metadata?.name ?? '', next.errors);
    if (attrs.operation === 'CREATE') { if (next.errors.length) throw invalidLabels(); return; }
    const prev = policyFromLabels(attrs.oldObject?.metadata?.labels);
    if (next.errors.length && (!prev.errors.length || JSON.stringify(next.errors) !== JSON.stringify(prev.errors))) throw invalidLabels();
    const [n, o] = [next.policy.enforce, prev.policy.enforce];
    if (sameLV(n, o) || n.level === 'privileged') return;
    if (n.version === o.version && rank(n.level) <= rank(o.level)) return;
    for (const w of await existingPodWarnings(ns.metadata.name ?? '', n)) attrs.warn?.(w);
  }

  /** Upstream's EvaluatePodsInNamespace: one warning per distinct violation, naming a pod and how many others share it. */
  async function existingPodWarnings(namespace: string, enforce: LevelVersion): Promise<string[]> {
    let pods: KubeObject[];
    try { pods = await opts.listPods(namespace); } catch { return ['failed to list pods while checking new PodSecurity enforce level']; }
    // One pod per controller first, so a big ReplicaSet does not hide other violations past the limit.
    const seen = new Set<string>();
    const first: KubeObject[] = [], rest: KubeObject[] = [];
    for (const p of pods) {
      const owner = (p.metadata?.ownerReferences ?? []).find((r: any) => r?.controller === true)?.uid;
      if (owner && seen.has(owner)) rest.push(p); else { if (owner) seen.add(owner); first.push(p); }
    }
    const ordered = [...first, ...rest];
    const checked = ordered.slice(0, MAX_PODS_TO_CHECK);
    const byReason = new Map<string, { name: string; count: number }>();
    for (const p of checked) {
      const r = aggregate(evaluatePod(enforce, p.metadata, p.spec));
      if (r.allowed) continue;
      const reason = forbiddenReason(r);
      const name = p.metadata.name ?? '';
      const c = byReason.get(reason);
      if (!c) byReason.set(reason, { name, count: 1 });
      else { c.count++; if (name < c.name) c.name = name; }
    }
    const warnings: string[] = [];
    if (checked.length < ordered.length) warnings.push(`new PodSecurity enforce level only checked against the first ${checked.length} of ${ordered.length} existing pods`);
    if (byReason.size) warnings.push(`existing pods in namespace ${JSON.stringify(namespace)} violate the new PodSecurity enforce level ${JSON.stringify(levelVersionString(enforce))}`);
    const podWarnings = [...byReason].map(([reason, c]) => (c.count === 1 ? `${c.name}: ${reason}`
      : c.count === 2 ? `${c.name} (and 1 other pod): ${reason}` : `${c.name} (and ${c.count - 1} other pods): ${reason}`));
    return [...warnings, ...podWarnings.sort()];
  }

  return {
    name: 'PodSecurity',
    // Namespaces, pods and the kinds with a pod template (upstream's DefaultPodSpecExtractor); nothing else is looked at.
    resources: POD_SECURITY_RESOURCES,
    admit: noMutation,
    async validate(attrs) {
      if (attrs.operation !== 'CREATE' && attrs.operation !== 'UPDATE') return;
      const { group, resource } = attrs.def;
      if (group === '' && resource === 'namespaces') return validateNamespace(attrs);
      if (group === '' && resource === 'pods') return validatePod(attrs);
      const template = podTemplateOf(group, resource, attrs.object);
      if (template) return validateController(attrs, template);
    },
  };
}
