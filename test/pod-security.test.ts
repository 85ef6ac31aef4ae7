// PodSecurity admission as a kubectl user sees it: namespace labels choose the level, enforce rejects with
// upstream's message, warn prints "Warning:" lines, workloads are warned about but admitted, audit records the
// violation in the audit log, and raising a namespace's enforce level lists the existing pods that violate it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';

const ns = (name: string, labels: Record<string, string>) => JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const pod = (name: string, namespace: string, spec: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } });

test('PodSecurity: enforce, warn, audit and namespace relabeling through kubectl', async (t) => {
  const c = await startTestCluster(t, { components: false });
  const apply = (yaml: string) => c.kubectl(['apply', '-f', '-'], { input: yaml });

  // enforce=restricted: a plain pod is forbidden with upstream's message.
  assert.equal((await apply(ns('locked', { 'pod-security.kubernetes.io/enforce': 'restricted' }))).code, 0);
  const run = await c.kubectl(['run', 'x', '--image=nginx', '-n', 'locked']);
  assert.notEqual(run.code, 0);
  assert.equal(run.stderr.trim(), 'Error from server (Forbidden): pods "x" is forbidden: violates PodSecurity "restricted:latest": '
    + 'allowPrivilegeEscalation != false (container "x" must set securityContext.allowPrivilegeEscalation=false), '
    + 'unrestricted capabilities (container "x" must set securityContext.capabilities.drop=["ALL"]), '
    + 'runAsNonRoot != true (pod or container "x" must set securityContext.runAsNonRoot=true), '
    + 'seccompProfile (pod or container "x" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")');

  // A Deployment there is admitted (its pods are what enforcement stops), with the warning warn inherits from enforce.
  const deploy = await c.kubectl(['create', 'deployment', 'web', '--image=nginx', '-n', 'locked']);
  assert.equal(deploy.code, 0, deploy.stderr);
  assert.match(deploy.stderr, /^Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "nginx" must set securityContext\.allowPrivilegeEscalation=false\)/m);

  // warn=baseline + audit=baseline: the pod is created, kubectl prints the warning, the audit log has the violation.
  assert.equal((await apply(ns('loose', { 'pod-security.kubernetes.io/warn': 'baseline', 'pod-security.kubernetes.io/audit': 'baseline' }))).code, 0);
  const host = await apply(pod('h', 'loose', { hostNetwork: true }));
  assert.equal(host.code, 0, host.stderr);
  assert.equal(host.stderr.trim(), 'Warning: would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)');
  assert.match(host.stdout, /pod\/h created/);
  const event = await until('the audit event of the pod\'s create', async () => readFileSync(join(c.home, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    .find((e) => e.verb === 'create' && e.objectRef?.resource === 'pods' && e.objectRef?.namespace === 'loose'));
  assert.equal(event.annotations?.['pod-security.kubernetes.io/audit-violations'], 'would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)');
  assert.equal(event.annotations?.['pod-security.kubernetes.io/enforce-policy'], 'privileged:latest');

  // Raising the enforce level warns about the pods already there; the label change itself is allowed.
  assert.equal((await apply(pod('h2', 'loose', { hostNetwork: true }))).code, 0);
  assert.equal((await apply(pod('p', 'loose', { containers: [{ name: 'c', image: 'nginx', securityContext: { privileged: true } }] }))).code, 0);
  const label = await c.kubectl(['label', 'ns', 'loose', 'pod-security.kubernetes.io/enforce=baseline']);
  assert.equal(label.code, 0, label.stderr);
  assert.deepEqual(label.stderr.trim().split('\n'), [
    'Warning: existing pods in namespace "loose" violate the new PodSecurity enforce level "baseline:latest"',
    'Warning: h (and 1 other pod): host namespaces',
    'Warning: p: privileged',
  ]);

  // A bad level label is refused.
  const bad = await c.kubectl(['label', 'ns', 'loose', 'pod-security.kubernetes.io/warn=strict', '--overwrite']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /Namespace "loose" is invalid: metadata\.labels\[pod-security\.kubernetes\.io\/warn\]: Invalid value: "strict": must be one of privileged, baseline, restricted/);

  // Without labels, anything goes, silently (the default level is privileged).
  const free = await apply(pod('free', 'default', { hostPID: true }));
  assert.equal(free.code, 0);
  assert.equal(free.stderr, '');
});
