import assert from 'node:assert/strict';
import test from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { runtimeSecurityContext, verifyRunAsNonRoot } from './security-context.js';
import { containerCapabilities, currentCapabilities } from './runtime/sandbox/capabilities.js';

const pod = (podSc: Record<string, unknown>, sc?: Record<string, unknown>): Pod => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
  spec: { securityContext: podSc, containers: [{ name: 'c', image: 'i', ...(sc ? { securityContext: sc } : {}) }] },
});

test('the container securityContext wins over the pod\'s; fsGroup and supplementalGroups become groups; no_new_privs only when allowPrivilegeEscalation is false', () => {
  const p = pod({ runAsUser: 1, runAsGroup: 2, fsGroup: 3, supplementalGroups: [4, 5] }, { runAsUser: 10, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  assert.deepEqual(runtimeSecurityContext(p, p.spec!.containers[0]!), { runAsUser: 10, runAsGroup: 2, supplementalGroups: [3, 4, 5], readonlyRootfs: true, noNewPrivs: true });
  const q = pod({}, { allowPrivilegeEscalation: true });
  assert.deepEqual(runtimeSecurityContext(q, q.spec!.containers[0]!), {});
});

test('runAsNonRoot refuses root and unverifiable image users with upstream\'s messages', () => {
  const check = (podSc: Record<string, unknown>, sc: Record<string, unknown> | undefined, user?: string) => {
    const p = pod(podSc, sc);
    try { verifyRunAsNonRoot(p, p.spec!.containers[0]!, user); return 'ok'; } catch (e) { return `${(e as { reason: string }).reason}: ${(e as Error).message}`; }
  };
  const where = '(pod: "p_ns(u1)", container: c)';
  assert.equal(check({ runAsNonRoot: true }, undefined), `CreateContainerConfigError: container has runAsNonRoot and image will run as root ${where}`);
  assert.equal(check({ runAsNonRoot: true }, undefined, '0:0'), `CreateContainerConfigError: container has runAsNonRoot and image will run as root ${where}`);
  assert.equal(check({ runAsNonRoot: true }, undefined, 'app'), `CreateContainerConfigError: container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root ${where}`);
  assert.equal(check({}, { runAsNonRoot: true, runAsUser: 0 }), `CreateContainerConfigError: container's runAsUser breaks non-root policy ${where}`);
  assert.equal(check({ runAsNonRoot: true }, undefined, '1000:1000'), 'ok');
  assert.equal(check({ runAsNonRoot: true, runAsUser: 5 }, undefined, 'root'), 'ok');
  assert.equal(check({ runAsNonRoot: true }, { runAsNonRoot: false }), 'ok');
  assert.equal(check({}, undefined), 'ok');
});

test('capabilities as containerd computes them: the default set, ALL first then the named ones, privileged gets all the runtime has', () => {
  const have = (c: string) => currentCapabilities().includes(c);
  assert.deepEqual(containerCapabilities({ capabilities: { dropCapabilities: ['ALL'], addCapabilities: ['NET_BIND_SERVICE'] } }), ['CAP_NET_BIND_SERVICE']);
  assert.deepEqual(containerCapabilities({ capabilities: { addCapabilities: ['ALL'], dropCapabilities: ['chown'] } }), currentCapabilities().filter((c) => c !== 'CAP_CHOWN'));
  const plain = containerCapabilities(undefined);
  assert.equal(plain.length, ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE'].filter(have).length);
  assert.ok(!containerCapabilities({ capabilities: { dropCapabilities: ['KILL'] } }).includes('CAP_KILL'));
  assert.deepEqual(containerCapabilities({ privileged: true, capabilities: { dropCapabilities: ['ALL'] } }), currentCapabilities());
});
