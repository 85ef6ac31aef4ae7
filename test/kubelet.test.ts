// The kubelet against a real API server and controllers, with an in-memory runtime (src/kubelet/testing.ts): what
// the API shows of the node and of pods (statuses, events) as upstream's kubelet writes them. The real runtime's
// behaviour is covered by test/node.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlApply as apply, kubectlGet as get, startTestCluster, type TestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';
import { Client } from '../src/client/client.js';
import { httpTransport } from '../src/client/transport.js';
import { FakeRuntime, startKubelet, type FakeProgram } from '../src/kubelet/index.js';

async function withKubelet(t: { after(fn: () => unknown): void }, program?: FakeProgram) {
  const c = await startTestCluster(t);
  const runtime = new FakeRuntime(program);
  runtime.addImage('app:1', { cmd: ['/app'], env: ['PATH=/bin'] });
  runtime.addImage('crash:1', { cmd: ['/crash'] });
  const client = new Client(httpTransport({ server: c.url, ...c.pki }), { userAgent: 'kubelet/v1.32.2 (test)' });
  const ac = new AbortController();
  const kubelet = await startKubelet({ client, runtime, home: c.home, signal: ac.signal, log: () => {}, kubeletPort: 10250 });
  t.after(async () => { await kubelet.stop({ graceSeconds: 1 }); });
  await kubelet.ready;
  return { c, runtime, kubelet };
}

const pod = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 2, ...spec } });
const eventsOf = async (c: TestCluster, name: string) => (await get(c, ['events', '--field-selector', `involvedObject.name=${name}`])).items as any[];

test('kubelet: registers node nanokube Ready with host capacity, addresses, nodeInfo, a podCIDR and a Lease', async (t) => {
  const { c } = await withKubelet(t);
  const node = await until('node Ready with a podCIDR', async () => {
    const n = await get(c, ['node', 'nanokube']);
    return n.spec?.podCIDR && n.status.conditions.find((x: any) => x.type === 'Ready')?.status === 'True' && n;
  });
  assert.match(node.spec.podCIDR, /^10\.244\.\d+\.0\/24$/);
  const ready = node.status.conditions.find((x: any) => x.type === 'Ready');
  assert.equal(ready.reason, 'KubeletReady');
  assert.equal(ready.message, 'kubelet is posting ready status');
  assert.deepEqual(node.status.conditions.map((x: any) => `${x.type}=${x.status}/${x.reason}`).slice(0, 4),
    ['MemoryPressure=False/KubeletHasSufficientMemory', 'DiskPressure=False/KubeletHasNoDiskPressure', 'PIDPressure=False/KubeletHasSufficientPID', 'Ready=True/KubeletReady']);
  assert.match(node.status.capacity.cpu, /^\d+$/);
  assert.match(node.status.capacity.memory, /^\d+Ki$/);
  assert.equal(node.status.capacity.pods, '110');
  assert.match(node.status.capacity['ephemeral-storage'], /^\d+Ki$/);
  assert.deepEqual(node.status.addresses.map((a: any) => a.type), ['InternalIP', 'Hostname']);
  assert.equal(node.status.addresses[1].address, 'nanokube');
  assert.equal(node.status.nodeInfo.kubeletVersion.slice(0, 6), 'v1.32.');
  assert.equal(node.status.nodeInfo.containerRuntimeVersion, 'fake://0.1.0');
  assert.equal(node.status.nodeInfo.operatingSystem, 'linux');
  assert.equal(node.status.daemonEndpoints.kubeletEndpoint.Port, 10250);
  assert.equal(node.metadata.labels['kubernetes.io/hostname'], 'nanokube');
  const lease = await get(c, ['lease', '-n', 'kube-node-lease', 'nanokube']);
  assert.equal(lease.spec.holderIdentity, 'nanokube');
  assert.equal(lease.metadata.ownerReferences[0].uid, node.metadata.uid);
  // kubectl describe node shows the kubelet's start and each condition it posted, as upstream's.
  const events = await until('the node\'s events', async () => {
    const evs = (await eventsOf(c, 'nanokube')).filter((e) => e.involvedObject.kind === 'Node');
    return evs.some((e) => e.reason === 'NodeReady') && evs;
  });
  const reasons = events.map((e: any) => e.reason);
  for (const r of ['Starting', 'NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID', 'NodeReady']) assert.ok(reasons.includes(r), `${r} in ${reasons.join(', ')}`);
  const readyEvent = events.find((e: any) => e.reason === 'NodeReady');
  assert.equal(readyEvent.message, 'Node nanokube status is now: NodeReady');
  assert.deepEqual([readyEvent.involvedObject.uid, readyEvent.source.component, readyEvent.metadata.namespace], ['nanokube', 'kubelet', 'default']);
});

test('kubelet: init containers run in order, then the app; the pod is Running and Ready with upstream status and events', async (t) => {
  const { c, runtime } = await withKubelet(t, (cfg) => (cfg.metadata.name.startsWith('init') ? { exitCode: 0, afterMs: 50 } : undefined));
  await apply(c, pod('web', {
    initContainers: [{ name: 'init-a', image: 'app:1' }, { name: 'init-b', image: 'app:1' }],
    containers: [{ name: 'app', image: 'app:1', env: [{ name: 'GREETING', value: 'hi' }], resources: { limits: { memory: '64Mi', cpu: '500m' } } }],
  }));
  const p = await until('pod Running and Ready', async () => {
    const x = await get(c, ['pod', 'web']);
    return x.status?.phase === 'Running' && x.status.conditions?.find((k: any) => k.type === 'Ready')?.status === 'True' && x;
  });
  const order = runtime.calls.filter((x) => x.startsWith('startContainer') || x.startsWith('exit'));
  assert.deepEqual(order.slice(0, 5), ['startContainer:init-a', 'exit:init-a:0', 'startContainer:init-b', 'exit:init-b:0', 'startContainer:app']);
  assert.deepEqual(p.status.conditions.slice(0, 5).map((k: any) => `${k.type}=${k.status}`),
    ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
  const cs = p.status.containerStatuses[0];
  assert.equal(cs.name, 'app');
  assert.equal(cs.image, 'docker.io/library/app:1');
  assert.match(cs.imageID, /^sha256:/);
  assert.match(cs.containerID, /^fake:\/\/c\d+$/);
  assert.equal(cs.ready, true);
  assert.equal(cs.started, true);
  assert.equal(cs.restartCount, 0);
  assert.ok(cs.state.running.startedAt);
  assert.deepEqual(p.status.initContainerStatuses.map((s: any) => `${s.name}:${s.state.terminated.reason}:${s.state.terminated.exitCode}`), ['init-a:Completed:0', 'init-b:Completed:0']);
  assert.match(p.status.podIP, new RegExp(`^${(await get(c, ['node', 'nanokube'])).spec.podCIDR.split('.').slice(0, 3).join('\\.')}\\.`));
  assert.equal(p.status.hostIP, p.status.hostIPs[0].ip);
  assert.equal(p.status.qosClass, 'Burstable');
  assert.ok(p.status.startTime);
  const app = [...runtime.containers.values()].find((x) => x.metadata.name === 'app')!;
  assert.ok(app.config.envs.some((e) => e.key === 'GREETING' && e.value === 'hi'));
  assert.deepEqual(app.config.command, []);
  assert.deepEqual(app.config.args, ['/app']);
  assert.equal(app.config.linux?.resources?.memoryLimitInBytes, 64 * 1024 * 1024);
  assert.equal(app.config.linux?.resources?.cpuQuota, 50_000);
  assert.equal(app.config.labels['io.kubernetes.pod.name'], 'web');
  const events = await until('events', async () => { const e = await eventsOf(c, 'web'); return e.some((x) => x.reason === 'Started' && x.message === 'Started container app') && e; });
  const app_ = events.filter((e) => e.involvedObject.fieldPath === 'spec.containers{app}').map((e) => `${e.reason}: ${e.message}`);
  assert.deepEqual(app_, ['Pulled: Container image "app:1" already present on machine', 'Created: Created container app', 'Started: Started container app']);
  const started = events.find((e) => e.reason === 'Started');
  assert.equal(started.source.component, 'kubelet');
  assert.equal(started.source.host, 'nanokube');
});

test('kubelet: kubectl debug adds an ephemeral container that runs once in the target\'s PID namespace, reported in ephemeralContainerStatuses and never restarted', async (t) => {
  const { c, runtime } = await withKubelet(t, (cfg) => (cfg.metadata.name === 'dbg' ? { exitCode: 0, afterMs: 300 } : undefined));
  await apply(c, pod('web', { containers: [{ name: 'app', image: 'app:1' }] }));
  await until('Running', async () => (await get(c, ['pod', 'web'])).status?.phase === 'Running');
  const debug = await c.kubectl(['debug', 'web', '--image=app:1', '--target=app', '-c', 'dbg', '--', '/app', 'debug']);
  assert.equal(debug.code, 0, debug.stderr);
  const running = await until('the ephemeral container running', async () => {
    const s = (await get(c, ['pod', 'web'])).status?.ephemeralContainerStatuses?.[0];
    return s?.state?.running && s;
  });
  assert.equal(running.name, 'dbg');
  assert.equal(running.ready, false);
  assert.match(running.containerID, /^fake:\/\/c\d+$/);
  const app = [...runtime.containers.values()].find((x) => x.metadata.name === 'app')!;
  const dbg = [...runtime.containers.values()].find((x) => x.metadata.name === 'dbg')!;
  assert.equal(dbg.config.linux?.pidNamespaceTarget, app.id, 'joins the target container\'s PID namespace');
  assert.deepEqual([...dbg.config.command, ...dbg.config.args], ['/app', 'debug']);
  const done = await until('the ephemeral container terminated', async () => {
    const p = await get(c, ['pod', 'web']);
    return p.status?.ephemeralContainerStatuses?.[0]?.state?.terminated && p;
  });
  assert.equal(done.status.ephemeralContainerStatuses[0].state.terminated.reason, 'Completed');
  assert.equal(done.status.phase, 'Running', 'the pod is unaffected');
  assert.equal(done.status.conditions.find((k: any) => k.type === 'Ready').status, 'True');
  // Another sync of the pod (a label change) starts nothing again.
  assert.equal((await c.kubectl(['label', 'pod', 'web', 'synced=again'])).code, 0);
  await until('the label stored', async () => (await get(c, ['pod', 'web'])).metadata.labels?.synced === 'again');
  const events = await until('ephemeral events', async () => {
    const e = (await eventsOf(c, 'web')).filter((x) => x.involvedObject.fieldPath === 'spec.ephemeralContainers{dbg}');
    return e.some((x) => x.reason === 'Started') && e;
  });
  assert.deepEqual(events.map((e: any) => e.reason).sort(), ['Created', 'Pulled', 'Started']);
  assert.equal(runtime.calls.filter((x) => x === 'startContainer:dbg').length, 1, 'never restarted');
  // A target that is not running yet (a new pod): the debug container waits for it, then joins it.
  await apply(c, pod('slow', { initContainers: [{ name: 'init', image: 'app:1' }], containers: [{ name: 'app', image: 'app:1' }] }));
  const init = await until('slow\'s init container running', async () => runtime.running('init')[0]);
  assert.equal((await c.kubectl(['debug', 'slow', '--image=app:1', '--target=app', '-c', 'dbg2', '--', '/app'])).code, 0);
  const waitingFor = await until('dbg2 waiting for its target', async () => (await get(c, ['pod', 'slow'])).status?.ephemeralContainerStatuses?.[0]?.state?.waiting);
  assert.deepEqual(waitingFor, { reason: 'CreateContainerConfigError', message: 'unable to find target container app' });
  runtime.exit(init.id, 0, 'Completed');
  await until('dbg2 running', async () => (await get(c, ['pod', 'slow'])).status?.ephemeralContainerStatuses?.[0]?.state?.running);
  const slowApp = [...runtime.containers.values()].find((x) => x.metadata.name === 'app' && x.labels['io.kubernetes.pod.name'] === 'slow')!;
  const dbg2 = [...runtime.containers.values()].find((x) => x.metadata.name === 'dbg2')!;
  assert.equal(dbg2.config.linux?.pidNamespaceTarget, slowApp.id);
});

test('kubelet: the sandbox config carries every declared container port, hostPort only where declared, as upstream\'s (process mode refuses a second pod on the same port from it)', async (t) => {
  const { c, runtime } = await withKubelet(t);
  await apply(c, pod('ports', { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 5000 }, { containerPort: 53, protocol: 'UDP', hostPort: 5353 }] }] }));
  await until('Running', async () => (await get(c, ['pod', 'ports'])).status?.phase === 'Running');
  const sb = [...runtime.sandboxes.values()].find((s) => s.config.metadata.name === 'ports')!;
  assert.deepEqual(sb.config.portMappings, [{ protocol: 'TCP', containerPort: 5000 }, { protocol: 'UDP', containerPort: 53, hostPort: 5353 }]);
});

test('kubelet: after the node restarts, an ephemeral container that ran is not started again; it reads terminated, ContainerStatusUnknown, as upstream\'s lost containers', async (t) => {
  const { c, kubelet } = await withKubelet(t);
  await apply(c, pod('web', { containers: [{ name: 'app', image: 'app:1' }] }));
  await until('Running', async () => (await get(c, ['pod', 'web'])).status?.phase === 'Running');
  assert.equal((await c.kubectl(['debug', 'web', '--image=app:1', '-c', 'dbg', '--', '/app'])).code, 0);
  await until('dbg running', async () => (await get(c, ['pod', 'web'])).status?.ephemeralContainerStatuses?.[0]?.state?.running);
  await kubelet.stop({ graceSeconds: 1 });
  // The node comes back with an empty runtime, as after `nanokube stop` and `start`.
  const runtime = new FakeRuntime();
  runtime.addImage('app:1', { cmd: ['/app'], env: ['PATH=/bin'] });
  const client = new Client(httpTransport({ server: c.url, ...c.pki }), { userAgent: 'kubelet/v1.32.2 (test)' });
  const again = await startKubelet({ client, runtime, home: c.home, signal: new AbortController().signal, log: () => {}, kubeletPort: 10250 });
  t.after(async () => { await again.stop({ graceSeconds: 1 }); });
  await again.ready;
  await until('app started again', async () => runtime.running('app').length > 0);
  const lost = await until('dbg reported lost', async () => (await get(c, ['pod', 'web'])).status?.ephemeralContainerStatuses?.[0]?.state?.terminated);
  assert.equal(lost.reason, 'ContainerStatusUnknown');
  assert.equal(lost.exitCode, 137);
  assert.equal(runtime.calls.filter((x) => x === 'startContainer:dbg').length, 0, 'not started again');
});

test('kubelet: a crashing container restarts with back-off: restartCount, lastState and CrashLoopBackOff', async (t) => {
  const { c } = await withKubelet(t, (cfg) => (cfg.metadata.name === 'crash' ? { exitCode: 3, afterMs: 20 } : undefined));
  await apply(c, pod('crashy', { containers: [{ name: 'crash', image: 'crash:1', imagePullPolicy: 'IfNotPresent' }] }));
  const p = await until('CrashLoopBackOff', async () => {
    const x = await get(c, ['pod', 'crashy']);
    return x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff' && x;
  });
  const cs = p.status.containerStatuses[0];
  assert.ok(cs.restartCount >= 1, `restartCount ${cs.restartCount}`);
  assert.match(cs.state.waiting.message, /^back-off 10s restarting failed container=crash pod=crashy_default\(/);
  assert.equal(cs.lastState.terminated.exitCode, 3);
  assert.equal(cs.lastState.terminated.reason, 'Error');
  assert.equal(p.status.phase, 'Running');
  const ready = p.status.conditions.find((k: any) => k.type === 'Ready');
  assert.equal(ready.status, 'False');
  assert.equal(ready.reason, 'ContainersNotReady');
  assert.equal(ready.message, 'containers with unready status: [crash]');
  const events = await until('BackOff event', async () => { const e = await eventsOf(c, 'crashy'); return e.find((x) => x.reason === 'BackOff'); });
  assert.equal(events.type, 'Warning');
  assert.match(events.message, /^Back-off restarting failed container crash in pod crashy_default\(/);
  const listed = await c.kubectl(['get', 'pod', 'crashy', '--no-headers']);
  assert.match(listed.stdout, /crashy\s+0\/1\s+CrashLoopBackOff\s+\d/);
});

test('kubelet: restartPolicy Never with a failing container makes the pod Failed; OnFailure with exit 0 Succeeded', async (t) => {
  const { c } = await withKubelet(t, (cfg) => ({ exitCode: cfg.metadata.name === 'bad' ? 1 : 0, afterMs: 20 }));
  await apply(c, pod('never', { restartPolicy: 'Never', containers: [{ name: 'bad', image: 'app:1' }] }));
  await apply(c, pod('done', { restartPolicy: 'OnFailure', containers: [{ name: 'good', image: 'app:1' }] }));
  const failed = await until('Failed', async () => { const x = await get(c, ['pod', 'never']); return x.status?.phase === 'Failed' && x; });
  assert.equal(failed.status.containerStatuses[0].state.terminated.exitCode, 1);
  assert.equal(failed.status.containerStatuses[0].restartCount, 0);
  const ok = await until('Succeeded', async () => { const x = await get(c, ['pod', 'done']); return x.status?.phase === 'Succeeded' && x; });
  assert.equal(ok.status.containerStatuses[0].state.terminated.reason, 'Completed');
  assert.equal(ok.status.conditions.find((k: any) => k.type === 'Ready').reason, 'PodCompleted');
});

test('kubelet: a missing image is ErrImagePull then ImagePullBackOff saying how to build or load it; a missing Secret key or runAsNonRoot with a root image is CreateContainerConfigError', async (t) => {
  const { c, runtime } = await withKubelet(t);
  await apply(c, pod('rootimage', { securityContext: { runAsNonRoot: true }, containers: [{ name: 'x', image: 'app:1' }] }));
  await apply(c, pod('nonroot', { securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000 }, containers: [{ name: 'x', image: 'app:1', securityContext: { allowPrivilegeEscalation: false } }] }));
  await apply(c, pod('noimage', { containers: [{ name: 'x', image: 'nope/missing:1' }] }));
  await apply(c, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { present: 'v' } });
  await apply(c, pod('nokey', { containers: [{ name: 'x', image: 'app:1', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'absent' } } }] }] }));
  const pulled = await until('ErrImagePull or ImagePullBackOff', async () => {
    const x = await get(c, ['pod', 'noimage']);
    const w = x.status?.containerStatuses?.[0]?.state?.waiting;
    return (w?.reason === 'ErrImagePull' || w?.reason === 'ImagePullBackOff') && w;
  });
  assert.ok(pulled.message);
  const failedEvent = await until('Failed to pull event', async () => (await eventsOf(c, 'noimage')).find((e) => /^Failed to pull image "nope\/missing:1": /.test(e.message)));
  assert.match(failedEvent.message, /nanokube image (build|load)/);
  // Then, while the back-off runs, the status says so (as `kubectl get pods` shows upstream within a second).
  const backoff = await until('ImagePullBackOff', async () => {
    const w = (await get(c, ['pod', 'noimage'])).status?.containerStatuses?.[0]?.state?.waiting;
    return w?.reason === 'ImagePullBackOff' && w;
  });
  assert.equal(backoff.message, 'Back-off pulling image "nope/missing:1"');
  const cfg = await until('CreateContainerConfigError', async () => {
    const x = await get(c, ['pod', 'nokey']);
    const w = x.status?.containerStatuses?.[0]?.state?.waiting;
    return w?.reason === 'CreateContainerConfigError' && w;
  });
  assert.equal(cfg.message, "couldn't find key absent in Secret default/s");
  assert.equal((await get(c, ['pod', 'nokey'])).status.phase, 'Pending');
  // The image (no USER) runs as root: refused with upstream's message, in the status and a Failed event.
  const root = await until('rootimage CreateContainerConfigError', async () => {
    const x = await get(c, ['pod', 'rootimage']);
    return x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError' && x;
  });
  const refusal = `container has runAsNonRoot and image will run as root (pod: "rootimage_default(${root.metadata.uid})", container: x)`;
  assert.equal(root.status.containerStatuses[0].state.waiting.message, refusal);
  await until('Failed event', async () => (await eventsOf(c, 'rootimage')).find((e) => e.reason === 'Failed' && e.message === `Error: ${refusal}`));
  // A numeric non-root user passes, and the runtime gets the merged security context.
  await until('nonroot Running', async () => (await get(c, ['pod', 'nonroot'])).status?.phase === 'Running');
  const created = [...runtime.containers.values()].find((x) => x.labels['io.kubernetes.pod.name'] === 'nonroot');
  assert.deepEqual(created?.config.linux?.securityContext, { runAsUser: 1000, supplementalGroups: [2000], noNewPrivs: true });
});

test('kubelet: kubectl delete runs the preStop hook, stops the containers, then the pod is gone', async (t) => {
  const { c, runtime } = await withKubelet(t);
  await apply(c, pod('graceful', { containers: [{ name: 'app', image: 'app:1', lifecycle: { preStop: { exec: { command: ['/bin/sh', '-c', 'echo bye'] } } } }] }));
  await until('Running', async () => (await get(c, ['pod', 'graceful'])).status?.phase === 'Running');
  const del = await c.kubectl(['delete', 'pod', 'graceful', '--wait=true', '--timeout=30s']);
  assert.equal(del.code, 0, del.stderr);
  assert.deepEqual(runtime.execs, [{ container: 'app', cmd: ['/bin/sh', '-c', 'echo bye'] }]);
  assert.ok(runtime.calls.includes('stopContainer:app'));
  const killing = await until('Killing event', async () => (await eventsOf(c, 'graceful')).find((e) => e.reason === 'Killing'));
  assert.equal(killing.message, 'Stopping container app');
  await until('sandbox removed', async () => runtime.sandboxes.size === 0);
});

test('kubelet: a pod whose ConfigMap volume is missing waits with FailedMount and no sandbox, then starts once the ConfigMap exists', async (t) => {
  const { c, runtime } = await withKubelet(t);
  await apply(c, pod('needs-config', {
    volumes: [{ name: 'config', configMap: { name: 'later' } }],
    containers: [{ name: 'app', image: 'app:1', volumeMounts: [{ name: 'config', mountPath: '/etc/app' }] }],
  }));
  const failed = await until('FailedMount event', async () => (await eventsOf(c, 'needs-config')).find((e) => e.reason === 'FailedMount'));
  assert.equal(failed.message, 'MountVolume.SetUp failed for volume "config" : configmap "later" not found');
  const sandboxesOf = () => [...runtime.sandboxes.values()].filter((s) => s.metadata.name === 'needs-config');
  assert.deepEqual(sandboxesOf(), [], 'the sandbox made beside the failed mount is removed, not left without its volumes');
  assert.equal((await get(c, ['pod', 'needs-config'])).status.phase, 'Pending');
  await apply(c, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later' }, data: { 'app.conf': 'x' } });
  await until('Running', async () => (await get(c, ['pod', 'needs-config'])).status?.phase === 'Running');
  assert.deepEqual(sandboxesOf().map((s) => s.metadata.attempt), [0], 'one sandbox, the first attempt');
  assert.ok(!(await eventsOf(c, 'needs-config')).some((e) => e.reason === 'SandboxChanged'));
});
