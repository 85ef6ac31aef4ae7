// PodDisruptionBudget, PriorityClass, NetworkPolicy, LimitRange, ResourceQuota and APIService strategies: upstream's
// validation messages, defaults and Table rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../../api/object.js';
import { poddisruptionbudgets } from './strategy.js';
import { priorityclasses } from '../../scheduling/priorityclasses/strategy.js';
import { networkpolicies } from '../../networking/networkpolicies/strategy.js';
import { resourcequotas } from '../../core/resourcequotas/strategy.js';
import { apiservices, apiServiceNameValidator } from '../../apiregistration/apiservices/strategy.js';
import { fakeContext } from '../../testing.js';

const ctx = fakeContext();
const now = new Date('2026-01-01T01:00:00Z');
const messages = async (def: { strategy: { validate?: (o: KubeObject, c: any) => any } }, obj: KubeObject) =>
  ((await def.strategy.validate!(obj, ctx)) as any[]).map((e) => `${e.field}: ${e.detailMessage()}`);

test('PDB validation: minAvailable xor maxUnavailable, integers or percentages up to 100%, the eviction policy', async () => {
  const pdb = (spec: any): KubeObject => ({ metadata: { name: 'p', namespace: 'default' }, spec });
  assert.deepEqual(await messages(poddisruptionbudgets, pdb({ minAvailable: '50%', selector: { matchLabels: { app: 'web' } } })), []);
  const both = await messages(poddisruptionbudgets, pdb({ minAvailable: 1, maxUnavailable: 1 }));
  assert.equal(both.length, 1);
  assert.match(both[0], /^spec: Invalid value: policy\.PodDisruptionBudgetSpec\{.*\}: minAvailable and maxUnavailable cannot be both set$/);
  assert.deepEqual(await messages(poddisruptionbudgets, pdb({ maxUnavailable: '150%' })), ['spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%']);
  assert.deepEqual(await messages(poddisruptionbudgets, pdb({ minAvailable: -1 })), ['spec.minAvailable: Invalid value: -1: must be greater than or equal to 0']);
  assert.deepEqual(await messages(poddisruptionbudgets, pdb({ unhealthyPodEvictionPolicy: 'Sometimes' })), ['spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"']);
  const created = pdb({ maxUnavailable: 1 });
  poddisruptionbudgets.strategy.prepareForCreate!(created, ctx);
  assert.deepEqual(created.status, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  created.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
  assert.deepEqual(poddisruptionbudgets.strategy.table!.row(created, now), ['p', 'N/A', '1', 0, '60m']);
});

test('PriorityClass: system- names are reserved, user values stop at one billion, value is immutable, preemptionPolicy defaults', async () => {
  const pc = (name: string, value: number, extra: any = {}): KubeObject => ({ metadata: { name }, value, ...extra });
  assert.deepEqual(await messages(priorityclasses, pc('system-node-critical', 2000001000)), []);
  assert.deepEqual(await messages(priorityclasses, pc('system-mine', 5)), ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"]);
  assert.deepEqual(await messages(priorityclasses, pc('huge', 1000000001)), ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
  const old = pc('high', 10);
  priorityclasses.strategy.defaults!(old);
  assert.equal(old.preemptionPolicy, 'PreemptLowerPriority');
  const changed = { ...structuredClone(old), value: 11, preemptionPolicy: 'Never' };
  const errs = ((await priorityclasses.strategy.validateUpdate!(changed, old, ctx)) as any[]).map((e) => `${e.field}: ${e.detailMessage()}`);
  assert.deepEqual(errs, ['value: Forbidden: may not be changed in an update.', 'preemptionPolicy: Invalid value: "Never": field is immutable']);
  old.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
  assert.deepEqual(priorityclasses.strategy.table!.row(old, now), ['high', 10, false, '60m', 'PreemptLowerPriority']);
});

test('NetworkPolicy defaults policyTypes and port protocols; peers and CIDRs are validated', async () => {
  const np: KubeObject = { metadata: { name: 'n', namespace: 'default' }, spec: { egress: [{ ports: [{ port: 53 }] }] } };
  networkpolicies.strategy.defaults!(np);
  assert.deepEqual(np.spec, { egress: [{ ports: [{ port: 53, protocol: 'TCP' }] }], podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  const bad: KubeObject = { metadata: { name: 'n', namespace: 'default' }, spec: { podSelector: {}, ingress: [{ from: [{}, { ipBlock: { cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] } }] }] } };
  assert.deepEqual(await messages(networkpolicies, bad), [
    'spec.ingress[0].from[0]: Required value: must specify a peer',
    'spec.ingress[0].from[1].ipBlock.except[0]: Invalid value: "192.168.0.0/16": must be a strict subset of `cidr`',
  ]);
  assert.deepEqual(networkpolicies.strategy.table!.row({ ...np, metadata: { name: 'n', creationTimestamp: '2026-01-01T00:00:00Z' } }, now), ['n', '<none>', '60m']);
});

test('ResourceQuota rows put limits.* under LIMIT and the rest under REQUEST, as used/hard', async () => {
  const rq: KubeObject = { metadata: { name: 'q', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { hard: { pods: '10' } },
    status: { hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '2Gi' }, used: { pods: '3', 'requests.cpu': '500m' } } };
  assert.deepEqual(resourcequotas.strategy.table!.row(rq, now), ['q', '60m', 'pods: 3/10, requests.cpu: 500m/2', 'limits.memory: 0/2Gi']);
  assert.deepEqual(await messages(resourcequotas, { metadata: { name: 'q' }, spec: { hard: { pods: '-1' }, scopes: ['Sometimes'] } }), [
    'spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0',
    'spec.scopes[0]: Unsupported value: "Sometimes": supported values: "BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating", "PriorityClass", "Terminating"',
  ]);
});

test('APIService names are <version>.<group>; local services print Local and their Available condition', async () => {
  assert.deepEqual(apiServiceNameValidator('v1.', false), []);
  assert.deepEqual(apiServiceNameValidator('v1.apps', false), []);
  assert.notDeepEqual(apiServiceNameValidator('apps', false), []);
  const a: KubeObject = { metadata: { name: 'v1.apps', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { group: 'apps', version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15 },
    status: { conditions: [{ type: 'Available', status: 'True', reason: 'Local' }] } };
  assert.deepEqual(await messages(apiservices, a), []);
  assert.deepEqual(apiservices.strategy.table!.row(a, now), ['v1.apps', 'Local', 'True', '60m']);
  a.metadata.name = 'v2.apps';
  assert.deepEqual(await messages(apiservices, a), ['metadata.name: Invalid value: "v2.apps": must be `spec.version+"."+spec.group`: "v1.apps"']);
});
