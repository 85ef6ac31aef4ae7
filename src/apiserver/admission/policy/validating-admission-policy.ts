// ValidatingAdmissionPolicy (upstream k8s.io/apiserver/pkg/admission/plugin/policy/validating, GA in 1.30): every
// write is checked against each policy whose matchConstraints it falls under, once per binding of that policy whose
// matchResources it also falls under, and once per parameter object the binding's paramRef selects. A policy's
// matchConditions must all hold, then each validation's expression must be true. A false validation is acted on as
// the binding's validationActions say: Deny refuses the write (422 Invalid, or the validation's reason's code) with
// upstream's "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: <message>", Warn adds a Warning header
// (`Validation failed for ValidatingAdmissionPolicy 'p' with binding 'b': <message>`), Audit annotates the request's
// audit event (validation.policy.admission.k8s.io/validation_failure), as auditAnnotations do (<policy>/<key>). Errors (a failing expression, a missing param with parameterNotFoundAction
// Deny, an unknown paramKind) deny when the policy's failurePolicy is Fail and are ignored when it is Ignore.
import type { KubeObject } from '../../../api/object.js';
import { policyDenied, type StatusError } from '../../../api/errors.js';
import { selectorMatches, type LabelSelector } from '../../../api/validation/index.js';
import type { UserInfo } from '../../../api/transport.js';
import type { Authorizer } from '../../authorization/authorizer.js';
import { admitted, noMutation, type AdmissionAttributes, type AdmissionPlugin } from '../admission.js';
import { CelAuthorizer, ResourceCheck } from '../../cel/authz-library.js';
import { evalErrorText, toCel } from '../../cel/environment.js';
import { compilePolicy, type CompiledExpression, type CompiledPolicy, type PolicySpec } from './compile.js';
import { matches, type MatchRequest, type MatchResources } from './matching.js';

/** Where parameter objects of one paramKind live. */
export interface ParamResource {
  namespaced: boolean;
  get(namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  list(namespace: string | undefined): Promise<KubeObject[]>;
}

export interface ValidatingAdmissionPolicyOptions {
  /** The current policies and bindings (a watch-fed cache: a new binding takes effect a moment after it is stored). */
  policies(): Promise<{ policies: Iterable<KubeObject>; bindings: Iterable<KubeObject> }>;
  /**
   * True when it is known at once that no binding exists (then no policy applies to anything and the write is not
   * looked at): the common case, answered without listing.
   */
  noBindings?(): boolean;
  getNamespace(name: string): Promise<KubeObject | undefined>;
  /** The resource serving paramKind, or undefined when none is served. */
  paramResource(apiVersion: string, kind: string): ParamResource | undefined;
  /** Other served versions of a group/resource (matchPolicy Equivalent). */
  versionsOf?(group: string, resource: string): string[];
  /** The authorizer chain behind the `authorizer` CEL variable. Without one, checks answer NoOpinion. */
  authorizer?: Authorizer;
}

interface Decision { deny: boolean; message: string; reason?: string; binding?: KubeObject; expressionIndex?: number }

const compiledCache = new WeakMap<object, CompiledPolicy>();
/** Compiled once per stored version of the policy (the cache holds each version's spec object). */
function compiled(policy: KubeObject): CompiledPolicy {
  const spec = policy.spec ?? {};
  let c = compiledCache.get(spec);
  if (!c) compiledCache.set(spec, c = compilePolicy(spec as PolicySpec));
  return c;
}

const noAuthorizer: Authorizer = { authorize: () => ({ decision: 'NoOpinion', reason: '' }) };

/** The CEL `request` variable: upstream's AdmissionRequest without the objects, JSON-shaped (omitempty fields left out). */
function admissionRequest(attrs: AdmissionAttributes, name: string): Record<string, unknown> {
  const d = attrs.def;
  const kind = { group: d.group, version: d.version, kind: d.kind };
  const resource = { group: d.group, version: d.version, resource: d.resource };
  const u = attrs.user;
  const userInfo: Record<string, unknown> = {};
  if (u?.username) userInfo.username = u.username;
  if (u?.uid) userInfo.uid = u.uid;
  if (u?.groups?.length) userInfo.groups = u.groups;
  if (u?.extra && Object.keys(u.extra).length) userInfo.extra = u.extra;
  const r: Record<string, unknown> = { uid: '', kind, resource, requestKind: kind, requestResource: resource };
  if (attrs.subresource) { r.subResource = attrs.subresource; r.requestSubResource = attrs.subresource; }
  if (name) r.name = name;
  if (attrs.namespace) r.namespace = attrs.namespace;
  r.operation = attrs.operation;
  r.userInfo = userInfo;
  r.dryRun = attrs.dryRun;
  return r;
}

/** The CEL `namespaceObject`: the request's Namespace with the metadata upstream exposes. */
function namespaceObject(ns: KubeObject | undefined): unknown {
  if (!ns) return null;
  const m = ns.metadata ?? {};
  const metadata: Record<string, unknown> = {};
  for (const k of ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'labels', 'annotations'] as const) {
    if (m[k] !== undefined) metadata[k] = m[k];
  }
  return toCel({ apiVersion: 'v1', kind: 'Namespace', metadata, spec: ns.spec ?? {}, status: ns.status ?? {} });
}

/** Evaluates one compiled expression; throws upstream's error text. */
function evaluate(c: CompiledExpression, vars: Record<string, unknown>): unknown {
  if (!c.program) throw new Error(`compilation error: ${c.error}`);
  try {
    return c.program(vars);
  } catch (e) {
    throw new Error(`expression '${c.expression}' resulted in error: ${evalErrorText(e)}`);
  }
}

/** `variables`: each evaluated on first use and at most once per evaluation. */
function lazyVariables(policy: CompiledPolicy, vars: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of policy.variables) {
    let done = false;
    let value: unknown;
    let error: Error | undefined;
    Object.defineProperty(out, v.name, {
      enumerable: true,
      get() {
        if (!done) {
          done = true;
          try { value = evaluate(v.compiled, vars); } catch (e) { error = new Error(`composited variable "${v.name}" fails to evaluate: ${(e as Error).message}`); }
        }
        if (error) throw error;
        return value;
      },
    });
  }
  return out;
}

/** The decisions of one policy for one binding and one param (upstream validator.Validate). */
function validate(policy: KubeObject, c: CompiledPolicy, vars: Record<string, unknown>): { decisions: Decision[]; audit: { key: string; value: string }[]; auditErrors: Decision[] } {
  const fail = policy.spec?.failurePolicy !== 'Ignore';
  const onError = (message: string): Decision[] => (fail ? [{ deny: true, message }] : []);
  // matchConditions: any false skips the policy; otherwise errors are errors.
  const errors: string[] = [];
  for (const m of c.matchConditions) {
    try {
      const r = evaluate(m.compiled, vars);
      if (r === false) return { decisions: [], audit: [], auditErrors: [] };
      if (r !== true) errors.push(`matchCondition '${m.name}' resulted in a non-boolean value`);
    } catch (e) { errors.push((e as Error).message); }
  }
  if (errors.length) return { decisions: onError(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`), audit: [], auditErrors: [] };
  const decisions: Decision[] = [];
  for (const [i, { validation: v, compiled: expr, message }] of c.validations.entries()) {
    let ok: unknown;
    try { ok = evaluate(expr, vars); } catch (e) { decisions.push(...onError((e as Error).message).map((d) => ({ ...d, expressionIndex: i }))); continue; }
    if (ok === true) continue;
    let text = '';
    if (message) {
      try {
        const { authorizer: _a, ...noAuthz } = vars;
        const m = evaluate(message, noAuthz);
        if (typeof m === 'string') text = m.trim();
        if (text.includes('\n') || text.length > 5000) text = '';
      } catch { /* upstream falls back to message */ }
    }
    if (!text && v.message?.trim()) text = v.message.trim();
    if (!text) text = `failed expression: ${(v.expression ?? '').trim()}`;
    decisions.push({ deny: true, message: text, reason: v.reason ?? 'Invalid', expressionIndex: i });
  }
  // auditAnnotations that fail deny under failurePolicy Fail whatever the binding's actions, as upstream.
  const audit: { key: string; value: string }[] = [];
  const auditErrors: Decision[] = [];
  for (const a of c.auditAnnotations) {
    let value: unknown;
    try { value = evaluate(a.compiled, vars); } catch (e) { auditErrors.push(...onError((e as Error).message)); continue; }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string') {
      auditErrors.push(...onError(`valueExpression '${a.compiled.expression}' resulted in unsupported return type: ${typeof value}. Return type must be either string or null.`));
      continue;
    }
    if (value.trim()) audit.push({ key: a.key, value: value.trim().slice(0, 10 * 1024) });
  }
  return { decisions, audit, auditErrors };
}

/** The parameter objects a binding's paramRef selects (upstream generic.CollectParams); [null] without params. */
async function collectParams(opts: ValidatingAdmissionPolicyOptions, policy: KubeObject, binding: KubeObject, requestNamespace: string): Promise<unknown[]> {
  const kind = policy.spec?.paramKind as { apiVersion?: string; kind?: string } | undefined;
  const ref = binding.spec?.paramRef as { name?: string; namespace?: string; selector?: LabelSelector; parameterNotFoundAction?: string } | undefined;
  if (!kind || !ref) return [null];
  const res = opts.paramResource(kind.apiVersion ?? '', kind.kind ?? '');
  if (!res) throw new Error(`failed to find resource referenced by paramKind: '${kind.apiVersion}, Kind=${kind.kind}'`);
  let namespace: string | undefined;
  if (res.namespaced) {
    namespace = ref.namespace || requestNamespace;
    if (!namespace) throw new Error('cannot use namespaced paramRef in policy binding that matches cluster-scoped resources');
  } else if (ref.namespace) {
    throw new Error('paramRef.namespace must not be provided for a cluster-scoped `paramKind`');
  }
  let params: KubeObject[];
  if (ref.name) {
    const p = await res.get(namespace, ref.name);
    params = p ? [p] : [];
  } else if (ref.selector) {
    params = (await res.list(namespace)).filter((p) => selectorMatches(ref.selector, p.metadata?.labels ?? {}));
  } else {
    throw new Error('one of name or selector must be provided');
  }
  if (!params.length && ref.parameterNotFoundAction === 'Deny') throw new Error('no params found for policy binding with `Deny` parameterNotFoundAction');
  return params.map((p) => toCel({ apiVersion: kind.apiVersion, kind: kind.kind, ...p }));
}

export function validatingAdmissionPolicy(opts: ValidatingAdmissionPolicyOptions): AdmissionPlugin {
  return {
    name: 'ValidatingAdmissionPolicy',
    admit: noMutation, // validating only
    // Not an async function: with no binding at all the write is passed at once.
    validate(attrs) {
      if (opts.noBindings?.()) return admitted;
      return validatePolicies(attrs);
    },
  };

  async function validatePolicies(attrs: AdmissionAttributes): Promise<void> {
    const { policies, bindings } = await opts.policies();
    const byPolicy = new Map<string, KubeObject[]>();
    for (const b of bindings) {
      const name = b.spec?.policyName;
      if (!name) continue;
      let l = byPolicy.get(name);
      if (!l) byPolicy.set(name, l = []);
      l.push(b);
    }
    if (!byPolicy.size) return;
    const d = attrs.def;
    const name = attrs.object?.metadata?.name ?? attrs.oldObject?.metadata?.name ?? '';
    const isNamespace = d.group === '' && d.resource === 'namespaces';
    const namespace = isNamespace ? name : (attrs.namespace ?? '');
    let nsLoaded = false;
    let ns: KubeObject | undefined;
    const loadNamespace = async () => {
      if (!nsLoaded) { nsLoaded = true; ns = !isNamespace && namespace ? await opts.getNamespace(namespace) : undefined; }
      return ns;
    };
    let req: MatchRequest | undefined;
    /** The request as matching sees it; the namespace is read only once a namespace selector has to be checked. */
    const matchRequest = (): MatchRequest => req ??= {
      operation: attrs.operation, group: d.group, version: d.version, resource: d.resource, subresource: attrs.subresource ?? '',
      namespace, name, object: attrs.object, oldObject: attrs.oldObject, equivalentVersions: opts.versionsOf?.(d.group, d.resource),
    };
    const selects = async (m: MatchResources | undefined, requireRules: boolean) => {
      if (!matches(m, matchRequest(), requireRules, { ignoreNamespaceSelector: true })) return false;
      const sel = m?.namespaceSelector;
      if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) return true;
      req!.namespaceLabels ??= (await loadNamespace())?.metadata?.labels ?? {};
      return matches(m, req!, requireRules);
    };
    let vars: Record<string, unknown> | undefined;
    const baseVars = async () => vars ??= {
      object: attrs.operation === 'DELETE' ? null : toCel(attrs.object),
      oldObject: attrs.oldObject ? toCel(attrs.oldObject) : null,
      request: toCel(admissionRequest(attrs, name)),
      namespaceObject: namespaceObject(await loadNamespace()),
    };

    const denied: Decision[] = [];
    for (const policy of policies) {
      /** auditAnnotations of this policy: distinct values of one key across bindings and params joined by ", ". */
      const annotations = new Map<string, string[]>();
      const policyBindings = byPolicy.get(policy.metadata.name!);
      if (!policyBindings) continue;
      if (!await selects(policy.spec?.matchConstraints as MatchResources, true)) continue;
      const c = compiled(policy);
      const fail = policy.spec?.failurePolicy !== 'Ignore';
      for (const binding of policyBindings) {
        if (!await selects(binding.spec?.matchResources as MatchResources | undefined, false)) continue;
        let params: unknown[];
        try {
          params = await collectParams(opts, policy, binding, attrs.namespace ?? '');
        } catch (e) {
          if (fail) denied.push({ deny: true, message: `failed to configure binding: ${(e as Error).message}`, binding });
          continue;
        }
        const actions: string[] = binding.spec?.validationActions ?? [];
        for (const param of params) {
          const user: UserInfo = attrs.user ?? { username: '', groups: [] };
          const authz = new CelAuthorizer(opts.authorizer ?? noAuthorizer, user);
          const requestResource = new ResourceCheck(authz, d.group, d.resource, attrs.subresource ?? '', attrs.namespace ?? '', name);
          const evalVars: Record<string, unknown> = { ...(await baseVars()), params: param, authorizer: new CelAuthorizer(authz.chain, user, requestResource) };
          evalVars.variables = lazyVariables(c, evalVars);
          const { decisions, audit, auditErrors } = validate(policy, c, evalVars);
          for (const dec of auditErrors) denied.push({ ...dec, binding });
          for (const dec of decisions) {
            // Expression errors (failurePolicy Fail) are acted on like failed validations, as upstream.
            if (actions.includes('Deny')) denied.push({ ...dec, binding });
            if (actions.includes('Warn')) attrs.warn?.(`Validation failed for ValidatingAdmissionPolicy '${policy.metadata.name}' with binding '${binding.metadata.name}': ${dec.message}`);
            if (actions.includes('Audit')) {
              attrs.annotate?.('validation.policy.admission.k8s.io/validation_failure', JSON.stringify([{
                message: dec.message, policy: policy.metadata.name, binding: binding.metadata.name, expressionIndex: dec.expressionIndex ?? 0, validationActions: actions,
              }]));
            }
          }
          for (const a of audit) {
            const l = annotations.get(a.key) ?? [];
            if (!l.includes(a.value)) annotations.set(a.key, [...l, a.value]);
          }
        }
      }
      for (const [key, values] of annotations) attrs.annotate?.(`${policy.metadata.name}/${key}`, values.join(', '));
    }
    if (!denied.length) return;
    const first = denied[0];
    const policyName = first.binding?.spec?.policyName;
    throw denial(attrs, name, first, policyName);
  }
}

function denial(attrs: AdmissionAttributes, name: string, dec: Decision, policyName: string): StatusError {
  const message = dec.binding
    ? `ValidatingAdmissionPolicy '${policyName}' with binding '${dec.binding.metadata.name}' denied request: ${dec.message}`
    : `ValidatingAdmissionPolicy '${policyName}' denied request: ${dec.message}`;
  return policyDenied({ group: attrs.def.group || undefined, resource: attrs.def.resource }, name, dec.reason ?? 'Invalid', message);
}
