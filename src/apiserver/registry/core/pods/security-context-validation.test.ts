import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validatePodSpec } from './pod-validation.js';

const spec = (podSc: Record<string, unknown>, sc: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', securityContext: podSc, ...extra,
  containers: [{ name: 'c', image: 'i', terminationMessagePolicy: 'File', securityContext: sc }],
});
const errors = (s: unknown) => validatePodSpec(s, 'spec').map(String);

test('securityContext: ids in range, a known fsGroupChangePolicy, and allowPrivilegeEscalation: false refused with privileged or CAP_SYS_ADMIN, in upstream\'s words', () => {
  assert.deepEqual(errors(spec({ runAsUser: 1000, fsGroup: 2000, supplementalGroups: [3000], fsGroupChangePolicy: 'OnRootMismatch' }, { runAsUser: 1, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } })), []);
  assert.deepEqual(errors(spec({ runAsUser: -1, supplementalGroups: [1, 2147483648], fsGroupChangePolicy: 'Sometimes' }, { runAsGroup: -5 })), [
    'spec.containers[0].securityContext.runAsGroup: Invalid value: -5: must be between 0 and 2147483647, inclusive',
    'spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive',
    'spec.securityContext.supplementalGroups[1]: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive',
    'spec.securityContext.fsGroupChangePolicy: Unsupported value: "Sometimes": supported values: "OnRootMismatch", "Always"',
  ]);
  const bad = errors(spec({}, { allowPrivilegeEscalation: false, privileged: true, capabilities: { add: ['CAP_SYS_ADMIN'] } }));
  assert.equal(bad.length, 2);
  assert.match(bad[0]!, /^spec\.containers\[0\]\.securityContext: Invalid value: .*: cannot set `allowPrivilegeEscalation` to false and `privileged` to true$/);
  assert.match(bad[1]!, /^spec\.containers\[0\]\.securityContext: Invalid value: .*: cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN$/);
  assert.deepEqual(errors(spec({}, {}, { shareProcessNamespace: true, hostPID: true })), ['spec.securityContext.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled']);
});
