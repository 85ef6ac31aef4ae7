// Upstream's storage_rbac post-start hook: at every start the bootstrap roles and bindings (bootstrap-policy.ts)
// are created when missing; existing ones annotated rbac.authorization.kubernetes.io/autoupdate: "true" get the
// rules (or subjects) they lack added back, and aggregated roles their aggregationRule. Nothing is removed.
// Aggregated roles (admin, edit, view) are also filled once here, so they work before the clusterrole-aggregation
// controller runs (and in an apiserver without controllers); the controller keeps them current afterwards.
import { isAlreadyExists } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/object.js';
import type { Registry } from '../../registry/registry.js';
import { AUTOUPDATE_ANNOTATION, bootstrapClusterRoleBindings, bootstrapClusterRoles, bootstrapControllerRoles } from './bootstrap-policy.js';
import { RBAC_GROUP } from './policy-cache.js';
import { selectorMatches } from '../../../api/validation/label-selector.js';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function reconcileBootstrapPolicy(registry: Registry): Promise<void> {
  const roles = registry.forResource(RBAC_GROUP, 'clusterroles');
  const bindings = registry.forResource(RBAC_GROUP, 'clusterrolebindings');
  if (!roles || !bindings) return;
  const wctx = () => registry.writeContext({ fieldManager: 'kube-apiserver' });
  const ensure = async (store: NonNullable<typeof roles>, want: KubeObject, merge: (cur: KubeObject) => KubeObject | undefined) => {
    const cur = await store.tryGet(undefined, want.metadata.name!);
    if (!cur) {
      try { await store.create(undefined, structuredClone(want), wctx()); } catch (e) { if (!isAlreadyExists(e)) throw e; }
      return;
    }
    if (cur.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false') return;
    const next = merge(structuredClone(cur));
    if (next) await store.update(undefined, next.metadata.name!, next, wctx());
  };
  for (const want of [...bootstrapClusterRoles, ...bootstrapControllerRoles]) {
    await ensure(roles, want, (cur) => {
      let changed = false;
      if (want.aggregationRule && !same(cur.aggregationRule, want.aggregationRule)) { cur.aggregationRule = want.aggregationRule; changed = true; }
      if (!want.aggregationRule) {
        const rules: unknown[] = cur.rules ?? [];
        for (const r of want.rules ?? []) if (!rules.some((x) => same(x, r))) { rules.push(r); changed = true; }
        cur.rules = rules;
      }
      for (const [k, v] of Object.entries(want.metadata.labels ?? {})) if (cur.metadata.labels?.[k] !== v) { cur.metadata.labels = { ...cur.metadata.labels, [k]: v }; changed = true; }
      return changed ? cur : undefined;
    });
  }
  for (const want of bootstrapClusterRoleBindings) {
    await ensure(bindings, want, (cur) => {
      const subjects: unknown[] = cur.subjects ?? [];
      let changed = false;
      for (const s of want.subjects ?? []) if (!subjects.some((x) => same(x, s))) { subjects.push(s); changed = true; }
      cur.subjects = subjects;
      return changed ? cur : undefined;
    });
  }
  // Aggregated roles may aggregate aggregated roles (edit takes view's rules): repeat until nothing changes.
  const all = (await roles.list(undefined)).items.map((r) => structuredClone(r));
  const changed = new Set<KubeObject>();
  for (let pass = 0, dirty = true; dirty && pass < 5; pass++) {
    dirty = false;
    for (const role of all) {
      if (!role.aggregationRule) continue;
      const want = aggregatedRules(role, all);
      if (same(role.rules ?? [], want)) continue;
      role.rules = want;
      changed.add(role);
      dirty = true;
    }
  }
  for (const role of changed) {
    delete role.metadata.resourceVersion;
    await roles.update(undefined, role.metadata.name!, role, wctx());
  }
}

/** The rules of every other ClusterRole a role's clusterRoleSelectors match, in name order, without duplicates. */
function aggregatedRules(role: KubeObject, all: KubeObject[]): unknown[] {
  const selectors: any[] = role.aggregationRule?.clusterRoleSelectors ?? [];
  const out: unknown[] = [];
  const seen = new Set<string>();
  const matching = all.filter((r) => r.metadata.name !== role.metadata.name && selectors.some((s) => selectorMatches(s, r.metadata.labels)))
    .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  for (const r of matching) for (const rule of r.rules ?? []) {
    const k = JSON.stringify(rule);
    if (!seen.has(k)) { seen.add(k); out.push(rule); }
  }
  return out;
}
