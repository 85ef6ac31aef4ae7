import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle } from '../../client/testing.js';
import { discardLog } from '../../client/log.js';
import { FakeCluster, waitUntil } from '../shared/testing.js';
import { startNodeLifecycleController } from './index.js';
import { resources } from '../../api/resources.js';

const ns = 'default';
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(name: string, tolerations: unknown[] = []) {
  return {
    metadata: { namespace: ns, name },
    spec: { nodeName: 'n1', tolerations, containers: [{ name: 'c' }] },
    status: { phase: 'Running', podIP: '10.0.0.9', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

test('node lifecycle: a node whose lease stops renewing goes Unknown and tainted; pods are marked not ready and evicted after tolerationSeconds; recovery removes the taints', async (t) => {
  const c = new FakeCluster();
  const start = c.clock.now();
  const readyCondition = (at: number) => ({ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: iso(at), lastTransitionTime: iso(start) });
  c.api.put('', 'nodes', { metadata: { name: 'n1' }, spec: { taints: [{ key: 'example.com/own', effect: 'NoSchedule' }] }, status: { conditions: [readyCondition(start)] } });
  c.api.put('coordination.k8s.io', 'leases', { metadata: { namespace: 'kube-node-lease', name: 'n1' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: iso(start) } });
  c.api.put('', 'pods', pod('defaulted'));
  c.api.put('', 'pods', pod('short', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]));
  c.api.put('', 'pods', pod('forever', [{ operator: 'Exists' }]));
  const ac = new AbortController();
  const done = startNodeLifecycleController({ client: c.client, informers: c.informers, clock: c.clock, signal: ac.signal, log: discardLog });
  t.after(async () => { ac.abort(); await done; });
  const node = () => c.api.peek('', 'nodes', undefined, 'n1')!;
  const ready = () => node().status.conditions.find((x: any) => x.type === 'Ready');
  const taints = () => (node().spec.taints ?? []).map((x: any) => `${x.key}:${x.effect}`).sort();
  const exists = (n: string) => !!c.api.peek('', 'pods', ns, n);
  await waitUntil(() => c.clock.pending > 0, 'controller watching the grace period');
  // The node, new to the controller, is announced as upstream's node controller does (kubectl describe node).
  const registered = async () => (await c.client.list(resources.events, { namespace: 'default' })).items.filter((e: any) => e.reason === 'RegisteredNode');
  await waitUntil(async () => (await registered()).length === 1, 'RegisteredNode event');
  const reg = (await registered())[0] as any;
  assert.equal(reg.message, 'Node n1 event: Registered Node n1 in Controller');
  assert.deepEqual([reg.involvedObject.kind, reg.involvedObject.name, reg.involvedObject.uid, reg.source.component], ['Node', 'n1', node().metadata.uid, 'node-controller']);

  // The lease renews for a while: the node stays Ready.
  await c.clock.stepAsync(20_000);
  c.api.put('coordination.k8s.io', 'leases', { metadata: { namespace: 'kube-node-lease', name: 'n1' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: iso(c.clock.now()) } });
  await settle();
  await c.clock.stepAsync(39_000);
  assert.equal(ready().status, 'True', 'within the grace period of the last renewal');

  // Then it stops: after 40 s without renewal the node is Unknown and tainted.
  await c.clock.stepAsync(2_000);
  await waitUntil(() => ready().status === 'Unknown' && taints().length === 3, 'node unknown and tainted');
  assert.equal(ready().reason, 'NodeStatusUnknown');
  assert.equal(ready().message, 'Kubelet stopped posting node status.');
  assert.deepEqual(taints(), ['example.com/own:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
  await waitUntil(() => ['defaulted', 'short', 'forever'].every((n) => c.api.peek('', 'pods', ns, n)!.status.conditions[0].status === 'False'), 'pods marked not ready');

  // Evictions follow the tolerations: 60 s, then the 300 s default; a toleration without seconds stays.
  // (the taint was added 1 s ago)
  await c.clock.stepAsync(58_000);
  assert.ok(exists('short'));
  await c.clock.stepAsync(2_000);
  await waitUntil(() => !exists('short'), 'short toleration evicted');
  assert.ok(exists('defaulted'));
  await c.clock.stepAsync(237_000);
  assert.ok(exists('defaulted'));
  await c.clock.stepAsync(2_000);
  await waitUntil(() => !exists('defaulted'), 'default toleration evicted');
  assert.ok(exists('forever'));

  // The kubelet comes back: renews its lease and posts Ready; the controller's taints go, the others stay.
  c.api.put('coordination.k8s.io', 'leases', { metadata: { namespace: 'kube-node-lease', name: 'n1' }, spec: { holderIdentity: 'n1', renewTime: iso(c.clock.now()) } });
  const n = node();
  c.api.put('', 'nodes', { ...n, status: { conditions: [readyCondition(c.clock.now())] } });
  await waitUntil(() => taints().length === 1, 'taints removed');
  assert.deepEqual(taints(), ['example.com/own:NoSchedule']);
  await c.clock.stepAsync(30_000);
  assert.equal(ready().status, 'True');
});

test('node lifecycle: a pod bound to a node that is already not ready is marked not ready; one on a ready node is left alone', async (t) => {
  const c = new FakeCluster();
  const now = iso(c.clock.now());
  const condition = (status: string) => ({ type: 'Ready', status, reason: 'KubeletNotReady', message: 'x', lastHeartbeatTime: now, lastTransitionTime: now });
  c.api.put('', 'nodes', { metadata: { name: 'n1' }, spec: { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }, status: { conditions: [condition('False')] } });
  c.api.put('', 'nodes', { metadata: { name: 'n2' }, spec: {}, status: { conditions: [{ ...condition('True'), reason: 'KubeletReady' }] } });
  for (const n of ['n1', 'n2']) c.api.put('coordination.k8s.io', 'leases', { metadata: { namespace: 'kube-node-lease', name: n }, spec: { holderIdentity: n, leaseDurationSeconds: 40, renewTime: now } });
  const ac = new AbortController();
  const done = startNodeLifecycleController({ client: c.client, informers: c.informers, clock: c.clock, signal: ac.signal, log: discardLog });
  t.after(async () => { ac.abort(); await done; });
  await waitUntil(() => (c.api.peek('', 'nodes', undefined, 'n1')!.spec.taints ?? []).some((x: any) => x.effect === 'NoExecute'), 'not-ready node tainted NoExecute');
  await settle();
  c.api.put('', 'pods', pod('late'));
  c.api.put('', 'pods', { ...pod('fine'), spec: { ...pod('fine').spec, nodeName: 'n2' } });
  await waitUntil(() => c.api.peek('', 'pods', ns, 'late')!.status.conditions[0].status === 'False', 'pod on the not-ready node marked not ready');
  await settle();
  assert.equal(c.api.peek('', 'pods', ns, 'fine')!.status.conditions[0].status, 'True');
});
