// Simulated nodes against the real apiserver in process (SQLite in a temp folder), with a fake clock driving every
// delay, lease renewal and heartbeat of the simulated kubelets, so nothing here depends on timing.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../src/api/errors.js';
import { Client } from '../src/client/client.js';
import { resources } from '../src/api/resources.js';
import type { KubeObject } from '../src/api/object.js';
import { FakeClock, settle } from '../src/client/testing.js';
import { InformerFactory } from '../src/client/informer.js';
import type { Lease } from '../src/client/leader-election.js';
import { discardLog } from '../src/client/log.js';
import { inProcessTransport, type Transport } from '../src/client/transport.js';
import { startCluster as startInProcessCluster } from '../src/cmd/cluster.js';
import { startSimulatedNodes, type SimulatedNodes, type SimulatedNodesOptions } from '../src/kubelet/index.js';

interface Cluster { transport: Transport; clock: FakeClock; writesInFlight: { now: number; peak: number } }

async function startCluster(t: TestContext): Promise<Cluster> {
  // The API alone (no scheduler, controllers or kubelets of its own, no socket); the test talks to it in-process.
  const cluster = await startInProcessCluster({ serve: 'handler', components: false });
  t.after(() => cluster.close());
  const inner = inProcessTransport(cluster.handler, { user: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] } });
  // Counts writes in flight, to check the simulated kubelets' concurrency limit.
  const writesInFlight = { now: 0, peak: 0 };
  const transport: Transport = {
    ...inner,
    async request(req) {
      if (req.method === 'GET') return inner.request(req);
      writesInFlight.now++;
      writesInFlight.peak = Math.max(writesInFlight.peak, writesInFlight.now);
      try { return await inner.request(req); } finally { writesInFlight.now--; }
    },
  };
  return { transport, clock: new FakeClock(Date.now()), writesInFlight };
}

/** Starts simulated nodes with their own client and informers; everything stops when the test ends. */
async function startSim(t: TestContext, c: Cluster, opts: Partial<SimulatedNodesOptions>): Promise<{ sim: SimulatedNodes; ac: AbortController }> {
  const ac = new AbortController();
  const client = new Client(c.transport, { userAgent: 'nanokube-simulated-kubelet-test' });
  const informers = new InformerFactory(client, { log: discardLog });
  t.after(async () => { ac.abort(); await informers.stopped(); });
  const sim = await startSimulatedNodes({ client, informers, count: 0, clock: c.clock, signal: ac.signal, log: discardLog, ...opts });
  t.after(() => sim.stop());
  return { sim, ac };
}

/** Steps the fake clock (stepMs each round) until check() holds; fails after many rounds. */
async function eventually(c: Cluster, what: string, check: () => Promise<boolean>, stepMs = 100): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await c.clock.stepAsync(stepMs);
    await new Promise((r) => setTimeout(r, 2));
  }
  assert.fail(`never happened: ${what}`);
}

const tryGet = async <T extends KubeObject>(client: Client, res: typeof resources.pods, ns: string | undefined, name: string): Promise<T | undefined> => {
  try { return await client.get<T>(res, ns, name); } catch (e) { if (isNotFound(e)) return undefined; throw e; }
};
const podSpec = (name: string, nodeName: string, extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name, ...extra }, spec: { nodeName, containers: [{ name: 'app', image: 'nginx' }] },
});
/** Whether an IPv4 address lies in a CIDR block. */
function inCidr(ip: string, cidr: string): boolean {
  const n = (a: string) => a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(n(ip) / size) === Math.floor(n(base) / size);
}
const cond = (o: { status?: { conditions?: { type: string; status: string }[] } } | undefined, type: string) =>
  o?.status?.conditions?.find((x) => x.type === type)?.status;

test('simulated nodes register Ready with a Lease, run bound pods, and confirm their graceful deletion', async (t) => {
  const c = await startCluster(t);
  const client = new Client(c.transport);
  const { sim } = await startSim(t, c, { count: 3, podStartDelayMs: 500 });
  assert.deepEqual(sim.names(), ['sim-node-0', 'sim-node-1', 'sim-node-2']);

  const nodes = (await client.list<Node & KubeObject>(resources.nodes, { labelSelector: 'type=simulated' })).items;
  assert.deepEqual(nodes.map((n) => n.metadata!.name).sort(), sim.names());
  for (const n of nodes) {
    const ready = n.status!.conditions!.find((x) => x.type === 'Ready')!;
    assert.deepEqual([ready.status, ready.reason, ready.message], ['True', 'KubeletReady', 'kubelet is posting ready status']);
    for (const p of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) assert.equal(cond(n, p), 'False', `${p} is False`);
    assert.equal(n.status!.capacity!.cpu, '32');
    assert.equal(n.status!.allocatable!.pods, '110');
    assert.equal(n.metadata!.labels!['kubernetes.io/hostname'], n.metadata!.name);
    assert.equal(n.metadata!.labels!['kubernetes.io/os'], 'linux');
    assert.equal(n.status!.nodeInfo!.kubeletVersion, 'v1.32.2');
    assert.ok(n.spec!.podCIDR, 'a podCIDR is set');
  }
  await eventually(c, 'every node has its Lease', async () => {
    const leases = (await client.list<Lease>(resources.leases, { namespace: 'kube-node-lease' })).items;
    return sim.names().every((n) => leases.some((l) => l.metadata?.name === n));
  });
  const node1 = nodes.find((n) => n.metadata!.name === 'sim-node-1')!;
  const lease = await client.get<Lease>(resources.leases, 'kube-node-lease', 'sim-node-1');
  assert.equal(lease.spec!.holderIdentity, 'sim-node-1');
  assert.equal(lease.spec!.leaseDurationSeconds, 40);
  assert.equal(lease.metadata!.ownerReferences![0].uid, node1.metadata!.uid, 'the Lease is owned by its Node');

  await client.create(resources.pods, 'default', podSpec('web', 'sim-node-1'));
  await c.clock.stepAsync(100);
  assert.equal((await client.get<Pod & KubeObject>(resources.pods, 'default', 'web')).status!.phase, 'Pending', 'still Pending before podStartDelayMs');
  let pod: Pod | undefined;
  await eventually(c, 'the pod runs', async () => {
    pod = await client.get<Pod & KubeObject>(resources.pods, 'default', 'web');
    return pod.status?.phase === 'Running';
  });
  assert.equal(cond(pod, 'Ready'), 'True');
  assert.equal(cond(pod, 'ContainersReady'), 'True');
  assert.equal(pod!.status!.containerStatuses![0].ready, true);
  assert.ok(pod!.status!.containerStatuses![0].state!.running);
  assert.ok(inCidr(pod!.status!.podIP!, node1.spec!.podCIDR!), `${pod!.status!.podIP} is in ${node1.spec!.podCIDR}`);
  assert.equal(pod!.status!.hostIP, node1.status!.addresses!.find((a) => a.type === 'InternalIP')!.address);

  const deleting = await client.delete<KubeObject>(resources.pods, 'default', 'web');
  assert.ok(deleting.metadata?.deletionTimestamp, 'deletion is graceful: the pod waits for its kubelet');
  await eventually(c, 'the kubelet confirms the deletion', async () => !(await tryGet(client, resources.pods, 'default', 'web')));
});

test('a failed node stops renewing its Lease and running pods; recover() brings both back', async (t) => {
  const c = await startCluster(t);
  const client = new Client(c.transport);
  const { sim } = await startSim(t, c, { count: 2, podStartDelayMs: 0, renewIntervalMs: 10_000 });
  const renewTime = async (n: string) => (await tryGet<Lease>(client, resources.leases, 'kube-node-lease', n))?.spec?.renewTime;
  await eventually(c, 'both leases exist', async () => !!(await renewTime('sim-node-0')) && !!(await renewTime('sim-node-1')));

  sim.fail('sim-node-0');
  assert.equal(sim.isFailed('sim-node-0'), true);
  const frozen = await renewTime('sim-node-0');
  for (const healthy of [1, 2]) {
    const before = await renewTime('sim-node-1');
    await eventually(c, `the healthy node renews (${healthy})`, async () => (await renewTime('sim-node-1')) !== before, 1000);
  }
  assert.equal(await renewTime('sim-node-0'), frozen, 'the failed node did not renew in two renew intervals');

  await client.create(resources.pods, 'default', podSpec('stuck', 'sim-node-0'));
  await c.clock.stepAsync(5000);
  await settle();
  assert.equal((await client.get<Pod & KubeObject>(resources.pods, 'default', 'stuck')).status!.phase, 'Pending', 'a dead kubelet starts nothing');

  sim.recover('sim-node-0');
  await eventually(c, 'the recovered node renews its lease', async () => (await renewTime('sim-node-0')) !== frozen);
  await eventually(c, 'the recovered node runs its pod', async () =>
    (await client.get<Pod & KubeObject>(resources.pods, 'default', 'stuck')).status?.phase === 'Running');
});

test('nodes added at runtime work like the first ones, and remove() deletes a node', async (t) => {
  const c = await startCluster(t);
  const client = new Client(c.transport);
  const { sim } = await startSim(t, c, { count: 1, podStartDelayMs: 0, namePrefix: 'kwok-' });
  assert.deepEqual(await sim.add(2), ['kwok-1', 'kwok-2']);
  assert.deepEqual(sim.names(), ['kwok-0', 'kwok-1', 'kwok-2']);
  await client.create(resources.pods, 'default', podSpec('late', 'kwok-2'));
  await eventually(c, 'the pod on the added node runs', async () =>
    cond(await client.get<Pod & KubeObject>(resources.pods, 'default', 'late'), 'Ready') === 'True');
  await sim.remove('kwok-1');
  assert.deepEqual(sim.names(), ['kwok-0', 'kwok-2']);
  assert.equal(await tryGet(client, resources.nodes, undefined, 'kwok-1'), undefined);
  assert.throws(() => sim.fail('kwok-1'), /no simulated node/);
});

test('a restarted simulator adopts its nodes and leaves running pods alone', async (t) => {
  const c = await startCluster(t);
  const client = new Client(c.transport);
  const first = await startSim(t, c, { count: 2, podStartDelayMs: 0 });
  await client.create(resources.pods, 'default', podSpec('keep', 'sim-node-0'));
  let running: Pod | undefined;
  await eventually(c, 'the pod runs', async () => {
    running = await client.get<Pod & KubeObject>(resources.pods, 'default', 'keep');
    return running.status?.phase === 'Running';
  });
  const uids = new Map((await client.list(resources.nodes)).items.map((n) => [n.metadata!.name!, n.metadata!.uid]));
  await first.sim.stop();

  const { sim } = await startSim(t, c, { count: 3, podStartDelayMs: 0 });
  assert.deepEqual(sim.names(), ['sim-node-0', 'sim-node-1', 'sim-node-2']);
  const after = new Map((await client.list(resources.nodes)).items.map((n) => [n.metadata!.name!, n.metadata!.uid]));
  assert.equal(after.size, 3, 'no duplicates');
  assert.equal(after.get('sim-node-0'), uids.get('sim-node-0'), 'sim-node-0 was adopted, not re-created');
  assert.equal(after.get('sim-node-1'), uids.get('sim-node-1'));

  await client.create(resources.pods, 'default', podSpec('fresh', 'sim-node-0'));
  let fresh: Pod | undefined;
  await eventually(c, 'a new pod runs on the adopted node', async () => {
    fresh = await client.get<Pod & KubeObject>(resources.pods, 'default', 'fresh');
    return fresh.status?.phase === 'Running';
  });
  const kept = await client.get<Pod & KubeObject>(resources.pods, 'default', 'keep');
  assert.equal(kept.metadata!.resourceVersion, running!.metadata!.resourceVersion, 'the running pod was not rewritten');
  assert.notEqual(fresh!.status!.podIP, kept.status!.podIP, 'the adopted pod IP is not handed out again');
});

test('many pods all become Running, never with more writes in flight than the limit', async (t) => {
  const c = await startCluster(t);
  const client = new Client(c.transport);
  const { sim } = await startSim(t, c, { count: 10, podStartDelayMs: 0, maxInflightWrites: 4 });
  const names = sim.names();
  await Promise.all(Array.from({ length: 200 }, (_, i) => client.create(resources.pods, 'default', podSpec(`p${i}`, names[i % names.length]))));
  c.writesInFlight.peak = 0;
  await eventually(c, 'all 200 pods run', async () => {
    const pods = (await client.list<Pod & KubeObject>(resources.pods, { namespace: 'default' })).items;
    return pods.filter((p) => p.status?.phase === 'Running').length === 200;
  });
  const pods = (await client.list<Pod & KubeObject>(resources.pods, { namespace: 'default' })).items;
  assert.equal(new Set(pods.map((p) => p.status!.podIP)).size, 200, 'every pod has its own IP');
  assert.ok(c.writesInFlight.peak <= 4, `at most 4 writes in flight (saw ${c.writesInFlight.peak})`);
});

test('a pod with restartPolicy Never and the exit-after annotation completes', async (t) => {
  const c = await startCluster(t);
  const client = new Client(c.transport);
  await startSim(t, c, { count: 1, podStartDelayMs: 0 });
  const p = podSpec('job', 'sim-node-0', { annotations: { 'nanokube.io/simulated-exit-after': '3s' } });
  (p.spec as Record<string, unknown>).restartPolicy = 'Never';
  await client.create(resources.pods, 'default', p);
  await eventually(c, 'the pod runs', async () => (await client.get<Pod & KubeObject>(resources.pods, 'default', 'job')).status?.phase === 'Running');
  await eventually(c, 'the pod succeeds', async () => (await client.get<Pod & KubeObject>(resources.pods, 'default', 'job')).status?.phase === 'Succeeded', 500);
});
