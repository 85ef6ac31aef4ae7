import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { generatePodStatus, type Waiting } from './pod-status.js';
import type { ContainerStatus, PodSandboxStatus } from './runtime/runtime.js';

const sandbox: PodSandboxStatus = { id: 'sb', metadata: { name: 'p', namespace: 'default', uid: 'u', attempt: 0 }, state: 'SANDBOX_READY', createdAt: 1, network: { ip: '10.244.0.5', additionalIps: [] }, labels: {}, annotations: {} };
const ctr = (name: string, attempt: number, state: ContainerStatus['state'], exitCode = 0, reason = ''): ContainerStatus => ({
  id: `${name}-${attempt}`, podSandboxId: 'sb', metadata: { name, attempt }, state, createdAt: attempt + 1, startedAt: 1e15, finishedAt: state === 'CONTAINER_EXITED' ? 2e15 : 0,
  exitCode, image: { image: 'app' }, imageRef: 'sha256:abc', reason, message: '', labels: {}, annotations: {}, logPath: '',
});
const pod = (spec: Partial<Pod['spec']>): Pod => ({ metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers: [{ name: 'app', image: 'app' }], ...spec } as Pod['spec'] });
const status = (p: Pod, containers: ContainerStatus[], waiting = new Map<string, Waiting>()) => generatePodStatus({
  pod: p, sandbox, containers, waiting, ready: () => true, started: () => true, runtimeName: 'runc', hostIPs: ['192.0.2.2'], nowMs: 2e12,
});

test('pod status: phase from the containers as upstream\'s getPhase', () => {
  assert.equal(status(pod({}), [ctr('app', 0, 'CONTAINER_RUNNING')]).phase, 'Running');
  assert.equal(status(pod({}), []).phase, 'Pending', 'not started yet');
  assert.equal(status(pod({ restartPolicy: 'OnFailure' }), [ctr('app', 0, 'CONTAINER_EXITED', 0, 'Completed')]).phase, 'Succeeded');
  assert.equal(status(pod({ restartPolicy: 'Never' }), [ctr('app', 0, 'CONTAINER_EXITED', 1)]).phase, 'Failed');
  const crashing = status(pod({}), [ctr('app', 1, 'CONTAINER_EXITED', 2), ctr('app', 0, 'CONTAINER_EXITED', 2)], new Map([['app', { reason: 'CrashLoopBackOff', message: 'back-off 10s' }]]));
  assert.equal(crashing.phase, 'Running', 'a container waiting to be restarted keeps the pod Running');
  const cs = crashing.containerStatuses![0];
  assert.deepEqual(cs.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } });
  assert.equal(cs.lastState!.terminated!.exitCode, 2);
  assert.equal(cs.restartCount, 1);
  assert.equal(cs.containerID, 'runc://app-1');
  assert.equal(crashing.conditions!.find((c) => c.type === 'Ready')!.message, 'containers with unready status: [app]');
});

test('pod status: init containers hold the pod Pending and not Initialized; the app containers show PodInitializing', () => {
  const p = pod({ initContainers: [{ name: 'a', image: 'app' }, { name: 'b', image: 'app' }] });
  const s = status(p, [ctr('a', 0, 'CONTAINER_EXITED', 0, 'Completed'), ctr('b', 0, 'CONTAINER_RUNNING')]);
  assert.equal(s.phase, 'Pending');
  const init = s.conditions!.find((c) => c.type === 'Initialized')!;
  assert.equal(init.status, 'False');
  assert.equal(init.reason, 'ContainersNotInitialized');
  assert.equal(init.message, 'containers with incomplete status: [b]');
  assert.deepEqual(s.containerStatuses![0].state, { waiting: { reason: 'PodInitializing' } });
  assert.equal(s.initContainerStatuses![0].ready, true);
  assert.equal(s.podIP, '10.244.0.5');
  assert.equal(s.hostIP, '192.0.2.2');
  assert.equal(s.qosClass, 'BestEffort');
});

test('pod status: a pod whose sandbox has no address of its own (plain processes on the node\'s network) has the node\'s IP, as a hostNetwork pod', () => {
  const p = pod({ containers: [{ name: 'app', image: 'app', ports: [{ containerPort: 5000 }] }] });
  const onNode = generatePodStatus({
    pod: p, sandbox: { ...sandbox, network: { ip: '', additionalIps: [] } }, containers: [ctr('app', 0, 'CONTAINER_RUNNING')], waiting: new Map(),
    ready: () => true, started: () => true, runtimeName: 'process', hostIPs: ['192.0.2.2'], nowMs: 2e12,
  });
  assert.equal(onNode.podIP, '192.0.2.2');
  assert.deepEqual(onNode.podIPs, [{ ip: '192.0.2.2' }]);
  const noSandbox = generatePodStatus({ pod: p, containers: [], waiting: new Map(), ready: () => true, started: () => true, runtimeName: 'process', hostIPs: ['192.0.2.2'], nowMs: 2e12 });
  assert.equal(noSandbox.podIP, undefined, 'no address before the sandbox exists');
});
