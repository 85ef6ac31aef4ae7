// The admission chain: each plugin is called only for the resources it acts on (upstream's Handles), and through
// the chain the plugins still refuse, warn and default what they did when called for every write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { resources as served } from '../../api/resources.js';
import type { ResourceDefinition } from '../registry/types.js';
import { admissionChain, admitted, type AdmissionAttributes, type AdmissionOperation, type AdmissionPlugin } from './admission.js';
import { limitRanger } from './limit-ranger.js';
import { nodeRestriction } from './node-restriction.js';
import { podSecurity } from './pod-security.js';

const def = (r: (typeof served)[keyof typeof served]): ResourceDefinition => ({ ...r, strategy: {} }) as ResourceDefinition;
/** One definition object per resource, as the registry holds (the chain remembers its plugin lists by it). */
const resources = {
  configmaps: def(served.configmaps), pods: def(served.pods), persistentvolumeclaims: def(served.persistentvolumeclaims),
  deployments: def(served.deployments), nodes: def(served.nodes), leases: def(served.leases),
};

const kubelet = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const jane = { username: 'jane', groups: ['system:authenticated'] };

/** The three plugins with a `resources` list, in one chain, counting what they read. */
function chain() {
  const reads = { limitRanges: 0, namespaces: 0 };
  const restricted: KubeObject = { metadata: { name: 'ns', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } };
  const admit = admissionChain([
    nodeRestriction(),
    limitRanger({
      listLimitRanges: async () => {
        reads.limitRanges++;
        return [{ metadata: { name: 'lr', namespace: 'ns' }, spec: { limits: [{ type: 'Container', max: { cpu: '1' } }, { type: 'PersistentVolumeClaim', max: { storage: '1Gi' } }] } }];
      },
    }),
    podSecurity({ getNamespace: async () => { reads.namespaces++; return restricted; }, listPods: async () => [] }),
  ]);
  /** Both phases, as the store runs them; the rejection's message or '' and the warnings. */
  const write = async (def: ResourceDefinition, object: KubeObject, user = jane, operation: AdmissionOperation = 'CREATE') => {
    const warnings: string[] = [];
    const attrs = (phase: 'mutating' | 'validating'): AdmissionAttributes => ({
      operation, object, namespace: def.namespaced ? 'ns' : undefined, def, dryRun: false, user, phase, warn: (m) => warnings.push(m),
    });
    try { await admit(attrs('mutating')); await admit(attrs('validating')); return { error: '', warnings }; }
    catch (e) { return { error: (e as Error).message, warnings }; }
  };
  return { write, reads };
}

const restrictedContainer = {
  name: 'c', image: 'i', resources: { limits: { cpu: '500m' } },
  securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
};
const pod = (container: any, annotations?: Record<string, string>, nodeName?: string): KubeObject =>
  ({ metadata: { name: 'p', namespace: 'ns', ...(annotations ? { annotations } : {}) }, spec: { containers: [container], ...(nodeName ? { nodeName } : {}) } });

test('a ConfigMap is not shown to LimitRanger, PodSecurity or NodeRestriction: nothing is read for it, even for a kubelet', async () => {
  const c = chain();
  assert.deepEqual(await c.write(resources.configmaps, { metadata: { name: 'cm', namespace: 'ns' }, data: {} }, kubelet), { error: '', warnings: [] });
  assert.deepEqual(c.reads, { limitRanges: 0, namespaces: 0 });
});

test('through the chain LimitRanger still bounds pods and claims and PodSecurity still enforces on pods and warns on workloads', async () => {
  const c = chain();
  assert.deepEqual(await c.write(resources.pods, pod(restrictedContainer)), { error: '', warnings: [] });
  assert.equal((await c.write(resources.pods, pod({ ...restrictedContainer, resources: { limits: { cpu: '2' } } }))).error,
    'pods "p" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
  assert.equal((await c.write(resources.persistentvolumeclaims, { metadata: { name: 'data', namespace: 'ns' }, spec: { resources: { requests: { storage: '5Gi' } } } })).error,
    'persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 1Gi, but request is 5Gi');
  assert.match((await c.write(resources.pods, pod({ name: 'c', image: 'i', resources: { limits: { cpu: '500m' } } }))).error,
    /^pods "p" is forbidden: violates PodSecurity "restricted:latest": /);
  const deployment: KubeObject = { metadata: { name: 'web', namespace: 'ns' }, spec: { template: { metadata: {}, spec: { containers: [{ name: 'c', image: 'i' }] } } } };
  const r = await c.write(resources.deployments, deployment);
  assert.equal(r.error, '', 'a workload is never refused, only warned about');
  assert.match(r.warnings.join('\n'), /^would violate PodSecurity "restricted:latest": /);
});

test('through the chain NodeRestriction still keeps a kubelet to its own node, lease and mirror pods', async () => {
  const c = chain();
  assert.equal((await c.write(resources.nodes, { metadata: { name: 'n2' } }, kubelet)).error, 'node "n1" is not allowed to modify node "n2"');
  assert.equal((await c.write(resources.nodes, { metadata: { name: 'n1' } }, kubelet)).error, '');
  const lease = (name: string): KubeObject => ({ metadata: { name, namespace: 'ns' } });
  assert.equal((await c.write(resources.leases, lease('n1'), kubelet)).error, 'can only access node lease with the same name as the requesting node');
  assert.equal((await c.write(resources.pods, pod(restrictedContainer), kubelet)).error,
    'pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods');
  assert.equal((await c.write(resources.pods, pod(restrictedContainer, { 'kubernetes.io/config.mirror': 'x' }, 'n1'), kubelet)).error, '');
});

test('the chain runs plugins in order, waits for one that waits, and stops at the first refusal, thrown or rejected', async () => {
  const calls: string[] = [];
  const plugin = (name: string, admit: AdmissionPlugin['admit']): AdmissionPlugin => ({ name, admit: (a) => { calls.push(name); return admit(a); } });
  const refuse = (why: string) => { throw new Error(why); };
  const chain = (...plugins: AdmissionPlugin[]) => admissionChain(plugins);
  const attrs = (): AdmissionAttributes => ({ operation: 'CREATE', object: { metadata: { name: 'cm', namespace: 'ns' } }, namespace: 'ns', def: resources.configmaps, dryRun: false });
  const nothing = () => admitted;
  const slow = async () => { await new Promise((r) => setImmediate(r)); calls.push('slow done'); };
  await assert.rejects(chain(plugin('a', nothing), plugin('slow', slow), plugin('b', nothing), plugin('thrown', () => refuse('no')), plugin('never', nothing))(attrs()), /^Error: no$/);
  assert.deepEqual(calls, ['a', 'slow', 'slow done', 'b', 'thrown']);
  calls.length = 0;
  await assert.rejects(chain(plugin('a', nothing), plugin('rejected', async () => refuse('later')), plugin('never', nothing))(attrs()), /^Error: later$/);
  assert.deepEqual(calls, ['a', 'rejected']);
  calls.length = 0;
  await chain(plugin('a', nothing), plugin('slow', slow), plugin('b', nothing))(attrs());
  assert.deepEqual(calls, ['a', 'slow', 'slow done', 'b']);
});
