// The real node, black-box, for what the kubelet's env, volumes and probes give a container running in a runc
// sandbox: files from a ConfigMap/Secret/downwardAPI, an in-memory emptyDir, a subPath file, env from the
// Secret; a persistentVolumeClaim of the default class; a ConfigMap update reaching the mounted file, which here flips an exec readiness probe (readiness gates
// Ready); a liveness failure restarting the container. Needs root, runc and the CNI plugins; skipped otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectlApply as apply, kubectlGet as get, startTestCluster, type TestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';
import { ownCIDR, realNodeSkip as skip } from './helpers/node.js';

const ready = (p: any) => p.status?.conditions?.find((k: any) => k.type === 'Ready')?.status === 'True';
const inPod = async (c: TestCluster, script: string) => {
  const r = await c.kubectl(['exec', 'vol', '--', 'sh', '-c', script]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
};

test('node: volumes and env reach the container; a ConfigMap update reaches its file and flips readiness; a liveness failure restarts it', { skip, timeout: 300_000 }, async (t) => {
  const c = await startTestCluster(t, { node: true, clusterCIDR: ownCIDR() });
  await until('node Ready', async () => (await get(c, ['node', 'nanokube'])).status.conditions.some((x: any) => x.type === 'Ready' && x.status === 'True'), 60_000);
  await apply(c, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { APP_ENV: 'production', READY: 'no' } });
  await apply(c, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-secret' }, data: { password: Buffer.from('password').toString('base64') } });
  await apply(c, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  await apply(c, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'vol', labels: { app: 'vol' } }, spec: {
    terminationGracePeriodSeconds: 1,
    containers: [{
      name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'touch /tmp/alive; exec sleep 3600'],
      env: [{ name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-secret', key: 'password' } } }, { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
      volumeMounts: [
        { name: 'config', mountPath: '/etc/config' },
        { name: 'config', mountPath: '/etc/app-env', subPath: 'APP_ENV' },
        { name: 'creds', mountPath: '/etc/creds' },
        { name: 'info', mountPath: '/etc/podinfo' },
        { name: 'mem', mountPath: '/mem' },
        { name: 'data', mountPath: '/data' },
      ],
      readinessProbe: { exec: { command: ['grep', '-q', 'yes', '/etc/config/READY'] }, periodSeconds: 1, failureThreshold: 1 },
      livenessProbe: { exec: { command: ['cat', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 2 },
    }],
    volumes: [
      { name: 'config', configMap: { name: 'app-config' } },
      { name: 'creds', secret: { secretName: 'db-secret', defaultMode: 0o400 } },
      { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
      { name: 'mem', emptyDir: { medium: 'Memory' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
    ],
  } });
  const running = await until('Running, not Ready (READY=no)', async () => { const p = await get(c, ['pod', 'vol']); return p.status?.phase === 'Running' && !ready(p) && p; }, 60_000);
  assert.equal(running.status.containerStatuses[0].ready, false);

  const seen = await inPod(c, 'echo "$DATABASE_PASSWORD $POD_IP"; cat /etc/config/APP_ENV; echo; cat /etc/app-env; echo; cat /etc/creds/password; echo; cat /etc/podinfo/labels; echo; grep " /mem " /proc/mounts | cut -d" " -f3; touch /etc/config/x 2>/dev/null && echo writable || echo read-only');
  assert.deepEqual(seen.trim().split('\n'), [`password ${running.status.podIP}`, 'production', 'production', 'password', 'app="vol"', 'tmpfs', 'read-only']);

  // The claim (standard class) was provisioned on this node once the pod was scheduled: a file the pod writes lands
  // in the volume's directory under NANOKUBE_HOME/storage.
  await inPod(c, 'echo kept > /data/file');
  const pv = (await get(c, ['pvc', 'data'])).spec.volumeName;
  assert.equal(readFileSync(join(c.home, 'storage', pv, 'file'), 'utf8'), 'kept\n');

  const patched = await c.kubectl(['patch', 'configmap', 'app-config', '--type=merge', '-p', '{"data":{"READY":"yes","APP_ENV":"staging"}}']);
  assert.equal(patched.code, 0, patched.stderr);
  await until('Ready once the updated file says yes', async () => ready(await get(c, ['pod', 'vol'])), 60_000);
  assert.equal((await inPod(c, 'cat /etc/config/APP_ENV; echo; cat /etc/app-env')).trim(), 'staging\nproduction', 'the volume follows the ConfigMap; a subPath file does not, as upstream');

  await inPod(c, 'rm /tmp/alive');
  const restarted = await until('restarted by the liveness probe', async () => { const p = await get(c, ['pod', 'vol']); return p.status?.containerStatuses?.[0]?.restartCount >= 1 && p; }, 60_000);
  assert.equal(restarted.status.containerStatuses[0].lastState.terminated.exitCode, 137);
  const events = (await get(c, ['events', '--field-selector', 'involvedObject.name=vol'])).items.map((e: any) => `${e.reason}: ${e.message}`);
  // The probe's output is the command's (busybox:1.36 resolves to the host's root filesystem, so cat is the host's).
  assert.ok(events.some((e: string) => /^Unhealthy: Liveness probe failed: cat: .*\/tmp\/alive.*No such file or directory\n$/.test(e)), events.join('\n'));
  assert.ok(events.includes('Killing: Container c failed liveness probe, will be restarted'), events.join('\n'));
  await c.stop();
  assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(c.home), false, 'no volume mount is left after stop');
});
