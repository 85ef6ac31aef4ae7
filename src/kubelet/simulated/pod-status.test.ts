import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { exitAtMs, EXIT_AFTER_ANNOTATION, normalizeImage, parseDurationMs, runningPodStatus, statusMatches, succeededPodStatus } from './pod-status.js';

const t0 = Date.UTC(2025, 0, 1);
const pod = (extra: Partial<Pod['spec']> = {}, status: Pod['status'] = { phase: 'Pending', qosClass: 'BestEffort' }): Pod => ({
  metadata: { name: 'web', namespace: 'default', uid: 'u1' },
  spec: { containers: [{ name: 'app', image: 'nginx' }, { name: 'side', image: 'quay.io/x/y:1.2' }], ...extra },
  status: {
    ...status,
    conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2024-12-31T00:00:00Z' }, ...(status?.conditions ?? [])],
  },
});

test('a started pod reports Running with every container running and ready, as the kubelet does', () => {
  const s = runningPodStatus(pod({ initContainers: [{ name: 'init', image: 'busybox' }] }), { hostIP: '10.64.0.1', podIP: '10.128.0.2', nowMs: t0 });
  assert.equal(s.phase, 'Running');
  assert.deepEqual(s.conditions!.map((c) => `${c.type}=${c.status}`),
    ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
  assert.equal(s.conditions!.find((c) => c.type === 'PodScheduled')!.lastTransitionTime, '2024-12-31T00:00:00Z', 'unchanged conditions keep their transition time');
  assert.deepEqual([s.podIP, s.podIPs, s.hostIP, s.hostIPs], ['10.128.0.2', [{ ip: '10.128.0.2' }], '10.64.0.1', [{ ip: '10.64.0.1' }]]);
  assert.equal(s.startTime, '2025-01-01T00:00:00Z');
  assert.equal(s.qosClass, 'BestEffort');
  const [app, side] = s.containerStatuses!;
  assert.deepEqual({ ...app, state: undefined }, {
    name: 'app', image: 'docker.io/library/nginx:latest', imageID: 'simulated://docker.io/library/nginx:latest',
    containerID: 'simulated://u1-app', ready: true, started: true, restartCount: 0, lastState: {}, state: undefined,
  });
  assert.equal(app.state!.running!.startedAt, '2025-01-01T00:00:00Z');
  assert.equal(side.image, 'quay.io/x/y:1.2');
  assert.equal(s.initContainerStatuses![0].state!.terminated!.reason, 'Completed');
});

test('readiness gates hold Ready at False until their condition is True', () => {
  const gated = pod({ readinessGates: [{ conditionType: 'example.com/lb' }] });
  const s = runningPodStatus(gated, { hostIP: 'h', podIP: 'p', nowMs: t0 });
  const ready = s.conditions!.find((c) => c.type === 'Ready')!;
  assert.equal(ready.status, 'False');
  assert.equal(ready.reason, 'ReadinessGatesNotReady');
  const open = pod({ readinessGates: [{ conditionType: 'example.com/lb' }] }, { phase: 'Running', conditions: [{ type: 'example.com/lb', status: 'True' }] });
  const s2 = runningPodStatus(open, { hostIP: 'h', podIP: 'p', nowMs: t0 });
  assert.equal(s2.conditions!.find((c) => c.type === 'Ready')!.status, 'True');
  assert.equal(s2.conditions!.find((c) => c.type === 'example.com/lb')!.status, 'True', 'the gate condition is kept');
});

test('writing the same state again is recognised as no change, a different IP or readiness is not', () => {
  const p = pod();
  const s = runningPodStatus(p, { hostIP: 'h', podIP: '10.128.0.2', nowMs: t0 });
  const running: Pod = { ...p, status: s };
  assert.equal(statusMatches(running.status, runningPodStatus(running, { hostIP: 'h', podIP: '10.128.0.2', nowMs: t0 + 60_000 })), true);
  assert.equal(statusMatches(running.status, runningPodStatus(running, { hostIP: 'h', podIP: '10.128.0.3', nowMs: t0 })), false);
  assert.equal(statusMatches(p.status, s), false);
});

test('pods with restartPolicy Never and the exit-after annotation complete with exit code 0', () => {
  const p = pod({ restartPolicy: 'Never' });
  p.metadata!.annotations = { [EXIT_AFTER_ANNOTATION]: '5s' };
  assert.equal(exitAtMs(p), undefined, 'not before it runs');
  const running: Pod = { ...p, status: runningPodStatus(p, { hostIP: 'h', podIP: 'i', nowMs: t0 }) };
  assert.equal(exitAtMs(running), t0 + 5000);
  const done = succeededPodStatus(running, t0 + 5000);
  assert.equal(done.phase, 'Succeeded');
  assert.equal(done.containerStatuses![0].state!.terminated!.exitCode, 0);
  assert.equal(done.conditions!.find((c) => c.type === 'Ready')!.reason, 'PodCompleted');
  const always: Pod = { ...running, spec: { ...running.spec!, restartPolicy: 'Always' } };
  assert.equal(exitAtMs(always), undefined, 'restartPolicy Always runs forever');
});

test('image references and durations are read as upstream writes them', () => {
  assert.equal(normalizeImage('nginx'), 'docker.io/library/nginx:latest');
  assert.equal(normalizeImage('bitnami/redis:7'), 'docker.io/bitnami/redis:7');
  assert.equal(normalizeImage('localhost:5000/app'), 'localhost:5000/app:latest');
  assert.equal(normalizeImage('nginx@sha256:abc'), 'docker.io/library/nginx@sha256:abc');
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs('250ms'), 250);
  assert.equal(parseDurationMs('3'), 3000);
  assert.equal(parseDurationMs('soon'), undefined);
});
