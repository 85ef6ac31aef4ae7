// The Pod Security Standards checks: upstream's levels, versions, order and messages (expectations taken from
// k8s.io/pod-security-admission's own check tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, evaluatePod, forbiddenDetail, type LevelVersion } from './pod-security-standards.js';

const detail = (lv: LevelVersion, spec: any, meta: any = {}) => forbiddenDetail(aggregate(evaluatePod(lv, meta, spec)));
const baseline: LevelVersion = { level: 'baseline', version: 'latest' };
const restricted: LevelVersion = { level: 'restricted', version: 'latest' };
const restrictedContainer = (name: string, extra: any = {}) => ({
  name, image: 'i', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, ...extra },
});

test('a plain pod passes baseline and fails restricted with upstream\'s message, checks in upstream\'s order', () => {
  const spec = { containers: [{ name: 'c', image: 'nginx' }] };
  assert.equal(detail(baseline, spec), '');
  assert.equal(detail({ level: 'privileged', version: 'latest' }, { hostNetwork: true }), '');
  assert.equal(detail(restricted, spec),
    'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), '
    + 'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), '
    + 'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), '
    + 'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")');
  assert.equal(detail(restricted, { containers: [restrictedContainer('c')] }), '');
  assert.equal(detail(restricted, { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'Localhost' } }, containers: [restrictedContainer('c', { runAsNonRoot: undefined, seccompProfile: undefined })] }), '');
});

test('baseline checks: host namespaces, privileged, capabilities, hostPath, hostPorts, AppArmor, SELinux, procMount, seccomp, sysctls', () => {
  assert.equal(detail(baseline, { hostNetwork: true, hostPID: true, hostIPC: true }), 'host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)');
  assert.equal(detail(baseline, { containers: [{ name: 'a', securityContext: { privileged: true } }, { name: 'b', securityContext: { privileged: true } }] }),
    'privileged (containers "a", "b" must not set securityContext.privileged=true)');
  assert.equal(detail(baseline, { containers: [{ name: 'a', securityContext: { capabilities: { add: ['FOO', 'BAR', 'CHOWN'] } } }, { name: 'b', securityContext: { capabilities: { add: ['BAR', 'BAZ'] } } }] }),
    'non-default capabilities (containers "a", "b" must not include "BAR", "BAZ", "FOO" in securityContext.capabilities.add)');
  assert.equal(detail(baseline, { volumes: [{ name: 'a', hostPath: { path: '/' } }, { name: 'b', emptyDir: {} }] }), 'hostPath volumes (volume "a")');
  assert.equal(detail(baseline, { containers: [{ name: 'a', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81, hostPort: 8081 }] }] }),
    'hostPort (container "a" uses hostPorts 8080, 8081)');
  assert.equal(detail(baseline, { securityContext: { appArmorProfile: { type: 'Unconfined' } } }), 'forbidden AppArmor profile (pod must not set AppArmor profile type to "Unconfined")');
  assert.equal(detail(baseline, {}, { annotations: { 'container.apparmor.security.beta.kubernetes.io/e': 'unconfined', 'container.apparmor.security.beta.kubernetes.io/d': 'localhost/foo' } }),
    'forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/e="unconfined"")');
  assert.equal(detail(baseline, { securityContext: { seLinuxOptions: { type: 'bar', user: 'u' } }, containers: [{ name: 'a', securityContext: { seLinuxOptions: { role: 'r' } } }] }),
    'seLinuxOptions (pod and container "a" set forbidden securityContext.seLinuxOptions: type "bar"; user may not be set; role may not be set)');
  assert.equal(detail(baseline, { securityContext: { seLinuxOptions: { type: 'container_engine_t' } } }), '');
  assert.equal(detail({ level: 'baseline', version: 30 }, { securityContext: { seLinuxOptions: { type: 'container_engine_t' } } }),
    'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "container_engine_t")');
  assert.equal(detail(baseline, { containers: [{ name: 'a', securityContext: { procMount: 'Unmasked' } }] }), 'procMount (container "a" must not set securityContext.procMount to "Unmasked")');
  assert.equal(detail(baseline, { securityContext: { seccompProfile: { type: 'Unconfined' } } }), 'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")');
  assert.equal(detail(baseline, { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_rmem' }, { name: 'kernel.msgmax' }, { name: 'a.b' }] } }), 'forbidden sysctls (kernel.msgmax, a.b)');
  assert.equal(detail({ level: 'baseline', version: 31 }, { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_rmem' }] } }), 'forbidden sysctls (net.ipv4.tcp_rmem)');
});

test('restricted checks: volume types, runAsUser, capabilities add, explicit runAsNonRoot=false; overridden baseline checks are not repeated', () => {
  const c = [restrictedContainer('c')];
  assert.equal(detail(restricted, { containers: c, volumes: [{ name: 'h', hostPath: { path: '/' } }, { name: 'n', nfs: {} }, { name: 'ok', configMap: { name: 'x' } }] }),
    'restricted volume types (volumes "h", "n" use restricted volume types "hostPath", "nfs")');
  assert.equal(detail(restricted, { securityContext: { runAsUser: 0 }, containers: [restrictedContainer('c', { runAsUser: 0 })] }), 'runAsUser=0 (pod and container "c" must not set runAsUser=0)');
  assert.equal(detail({ level: 'restricted', version: 22 }, { securityContext: { runAsUser: 0 }, containers: c }), '');
  assert.equal(detail(restricted, { containers: [restrictedContainer('c', { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE', 'CHOWN'] } })] }),
    'unrestricted capabilities (container "c" must not include "CHOWN" in securityContext.capabilities.add)');
  assert.equal(detail(restricted, { securityContext: { runAsNonRoot: false }, containers: c }), 'runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)');
  assert.equal(detail(restricted, { os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'w', image: 'i' }] }), '');
});
