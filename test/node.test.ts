// The real node, black-box: `nanokube`'s kubelet with the sandbox runtime (runc + CNI as root), the real kubectl,
// the seed's manifests with the image built from examples/flask. Needs root, runc and the CNI plugins; skipped
// otherwise. Each test's cluster has its own home and its own cluster CIDR, so its bridge, pod subnet and
// network namespaces never meet another test's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import { kubectlApply as apply, kubectlGet as get, startTestCluster, examplePath, type TestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';
import { clusterNetworkNames } from '../src/kubelet/index.js';
import { ownCIDR, realNodeSkip as skip } from './helpers/node.js';
import { holdHostPort } from './helpers/host-port-lock.js';

const nanokube = (c: TestCluster, args: string[]) => new Promise<{ code: number; out: string }>((resolve) => {
  execFile(process.execPath, [join(process.cwd(), 'bin', 'nanokube.js'), ...args], { env: { ...process.env, NANOKUBE_HOME: c.home }, timeout: 300_000, maxBuffer: 16 << 20 },
    (err, stdout, stderr) => resolve({ code: err ? 1 : 0, out: stdout + stderr }));
});

/** What a stopped cluster must not leave: processes, mounts, network namespaces or interfaces of its home. */
function leftovers(home: string): string[] {
  const found: string[] = [];
  const names = clusterNetworkNames(home);
  for (const line of execFileSync('ps', ['-eo', 'pid=,args=']).toString().split('\n')) if (line.includes(home)) found.push(`process: ${line.trim()}`);
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) if (line.includes(home)) found.push(`mount: ${line.split(' ')[4]}`);
  const links = execFileSync('ip', ['-o', 'link', 'show']).toString();
  if (links.includes(names.bridge)) found.push(`interface: ${names.bridge}`);
  return found;
}

test('node: the seed\'s manifests with the image built from examples/flask run as 2 pods Running and Ready, each with its own IP, the Secret and ConfigMap in their env; nothing is left after stop', { skip, timeout: 300_000 }, async (t) => {
  await holdHostPort(t, 30001); // examples/flask-service.yaml asks for nodePort 30001, a host-global port
  const c = await startTestCluster(t, { node: true, clusterCIDR: ownCIDR() });
  t.after(() => { assert.deepEqual(leftovers(c.home), [], 'nothing left behind once the cluster stopped'); });
  await until('node nanokube Ready', async () => (await get(c, ['node', 'nanokube'])).status.conditions.some((x: any) => x.type === 'Ready' && x.status === 'True'), 60_000);
  const built = await nanokube(c, ['image', 'build', '-t', 'your-dockerhub-username/flask-app:latest', examplePath('flask')]);
  assert.equal(built.code, 0, built.out);
  const applied = await c.kubectl(['apply', '-f', examplePath('')]);
  assert.equal(applied.code, 0, applied.stderr);
  const rollout = await c.kubectl(['rollout', 'status', 'deployment/flask-app', '--timeout=120s']);
  assert.equal(rollout.code, 0, rollout.stderr + rollout.stdout);
  const pods = (await get(c, ['pods', '-l', 'app=flask-app'])).items;
  assert.equal(pods.length, 2);
  const podCIDR: string = (await get(c, ['node', 'nanokube'])).spec.podCIDR;
  const prefix = podCIDR.split('.').slice(0, 3).join('.') + '.';
  for (const p of pods) {
    assert.equal(p.status.phase, 'Running');
    assert.ok(p.status.conditions.some((x: any) => x.type === 'Ready' && x.status === 'True'));
    assert.ok(p.status.podIP.startsWith(prefix), `${p.status.podIP} in ${podCIDR}`);
    assert.match(p.status.containerStatuses[0].containerID, /^[a-z-]+:\/\/[0-9a-f]{16,}$/);
    assert.match(p.status.containerStatuses[0].imageID, /^sha256:[0-9a-f]{64}$/);
  }
  assert.notEqual(pods[0].status.podIP, pods[1].status.podIP, 'each pod has its own IP');
  // Both replicas listen on 5000, each in its own network namespace; the app answers with what its env holds.
  for (const p of pods) {
    const res = await until(`GET ${p.status.podIP}:5000`, async () => { const r = await fetch(`http://${p.status.podIP}:5000/`); return r.ok && r.json(); }, 30_000) as any;
    assert.equal(res.hostname, p.metadata.name, 'hostname is the pod name');
    assert.equal(res.database_user, 'postgres', 'DATABASE_USER from the Secret');
    assert.equal(res.database_password_set, true, 'DATABASE_PASSWORD from the Secret');
    assert.equal(res.app_env, 'production', 'APP_ENV from the ConfigMap');
    assert.equal(res.log_level, 'info', 'LOG_LEVEL from the ConfigMap');
    assert.equal(res.database_host, 'db-service');
  }
  const env = await c.kubectl(['exec', pods[0].metadata.name, '--', 'env']);
  assert.equal(env.code, 0, env.stderr);
  for (const line of ['DATABASE_USER=postgres', 'DATABASE_PASSWORD=password', 'APP_ENV=production', 'LOG_LEVEL=info', 'DATABASE_HOST=db-service']) {
    assert.match(env.stdout, new RegExp(`^${line}$`, 'm'), `kubectl exec env shows ${line}`);
  }
  const logs = await c.kubectl(['logs', pods[0].metadata.name]);
  assert.match(logs.stdout, /starting on 0\.0\.0\.0:5000/);
  const described = await c.kubectl(['describe', 'pod', pods[0].metadata.name]);
  assert.match(described.stdout, /Normal\s+Pulled\s+.*kubelet\s+Container image "your-dockerhub-username\/flask-app:latest" already present on machine/);
  assert.match(described.stdout, /Normal\s+Created\s+.*kubelet\s+Created container flask-container/);
  assert.match(described.stdout, /Normal\s+Started\s+.*kubelet\s+Started container flask-container/);
  await c.stop();
});

test('node: a crashing container is restarted with back-off (restartCount, CrashLoopBackOff); one over its memory limit is OOMKilled', { skip, timeout: 300_000 }, async (t) => {
  const c = await startTestCluster(t, { node: true, clusterCIDR: ownCIDR() });
  t.after(() => { assert.deepEqual(leftovers(c.home), []); });
  await until('node Ready', async () => (await get(c, ['node', 'nanokube'])).status.conditions.some((x: any) => x.type === 'Ready' && x.status === 'True'), 60_000);
  await apply(c, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'crash' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo going down; exit 3'] }] } });
  await apply(c, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hog' }, spec: { terminationGracePeriodSeconds: 1, restartPolicy: 'Never', containers: [{ name: 'c', image: 'python:3.11-slim', command: ['python3', '-c', 'import time\nb = bytearray(200 * 1024 * 1024)\ntime.sleep(30)'], resources: { limits: { memory: '32Mi' } } }] } });
  const crash = await until('CrashLoopBackOff', async () => { const p = await get(c, ['pod', 'crash']); return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff' && p; }, 60_000);
  const cs = crash.status.containerStatuses[0];
  assert.ok(cs.restartCount >= 1);
  assert.equal(cs.lastState.terminated.exitCode, 3);
  assert.equal(cs.lastState.terminated.reason, 'Error');
  const backoff = (await get(c, ['events', '--field-selector', 'involvedObject.name=crash'])).items.find((e: any) => e.reason === 'BackOff');
  assert.match(backoff.message, /^Back-off restarting failed container c in pod crash_default\(/);
  const hog = await until('OOMKilled', async () => { const p = await get(c, ['pod', 'hog']); return p.status?.containerStatuses?.[0]?.state?.terminated && p; }, 60_000);
  assert.equal(hog.status.containerStatuses[0].state.terminated.reason, 'OOMKilled');
  assert.equal(hog.status.containerStatuses[0].state.terminated.exitCode, 137);
  assert.equal(hog.status.phase, 'Failed');
  await c.stop();
});

test('node: kubectl delete runs the preStop hook before SIGTERM, and nanokube stop leaves nothing running; a restart brings the pod back', { skip, timeout: 300_000 }, async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'nanokube-node-'));
  const hostDir = mkdtempSync(join(tmpdir(), 'nanokube-prestop-'));
  t.after(() => { rmSync(hostDir, { recursive: true, force: true }); rmSync(home, { recursive: true, force: true }); });
  const cidr = ownCIDR();
  const c = await startTestCluster(t, { node: true, clusterCIDR: cidr, home });
  await until('node Ready', async () => (await get(c, ['node', 'nanokube'])).status.conditions.some((x: any) => x.type === 'Ready' && x.status === 'True'), 60_000);
  const pod = (name: string) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 5,
      volumes: [{ name: 'out', hostPath: { path: hostDir } }],
      containers: [{
        name: 'c', image: 'busybox:1.36', command: ['sh', '-c', `trap 'echo TERM >> /out/${name}; exit 0' TERM; while true; do sleep 0.2; done`],
        volumeMounts: [{ name: 'out', mountPath: '/out' }],
        lifecycle: { preStop: { exec: { command: ['sh', '-c', `echo preStop >> /out/${name}`] } } },
      }],
    },
  });
  await apply(c, pod('graceful'));
  await apply(c, pod('survivor'));
  for (const n of ['graceful', 'survivor']) await until(`${n} Running`, async () => (await get(c, ['pod', n])).status?.phase === 'Running', 60_000);
  const del = await c.kubectl(['delete', 'pod', 'graceful', '--timeout=60s']);
  assert.equal(del.code, 0, del.stderr);
  assert.deepEqual(readFileSync(join(hostDir, 'graceful'), 'utf8').trim().split('\n'), ['preStop', 'TERM'], 'preStop ran, then SIGTERM reached the process');

  await c.stop();
  assert.deepEqual(leftovers(home), [], 'nothing left behind by stop');
  assert.ok(existsSync(join(hostDir, 'survivor')), 'stop ran the preStop hook of the running pod too');

  const again = await startTestCluster(t, { node: true, clusterCIDR: cidr, home });
  const back = await until('survivor Running again', async () => { const p = await get(again, ['pod', 'survivor']); return p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.state?.running && p; }, 60_000);
  assert.ok(back.status.podIP.startsWith(cidr.split('.').slice(0, 2).join('.') + '.'));
  await again.stop();
  assert.deepEqual(leftovers(home), []);
});

test('node: after kill -9 of nanokube the next start removes what the old one left and runs the pods again; stop leaves nothing', { skip, timeout: 300_000 }, async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'nanokube-kill9-'));
  const env = { ...process.env, NANOKUBE_HOME: home, KUBECONFIG: join(home, 'kubeconfig'), HOME: join(home, 'user') };
  const run = (cmd: string, args: string[], input?: string) => new Promise<{ code: number; out: string }>((resolve) => {
    const child = execFile(cmd, args, { env, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, out: stdout + stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
  const cli = (...args: string[]) => run(process.execPath, [join(process.cwd(), 'bin', 'nanokube.js'), ...args]);
  const port = await new Promise<number>((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); }); });
  const marker = `nk-kill9-${Math.random().toString(36).slice(2, 10)}`;
  const withMarker = () => execFileSync('ps', ['-eo', 'pid=,args=']).toString().split('\n').filter((l) => l.includes(marker) && !l.includes('ps -eo'));
  t.after(async () => { await cli('stop'); rmSync(home, { recursive: true, force: true }); });

  const started = await cli('start', '--api-port', String(port), '--cluster-cidr', ownCIDR());
  assert.equal(started.code, 0, started.out);
  assert.match(started.out, /Node "nanokube" is Ready \(\d+\.\d\ds\)/);
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sleeper' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', `while true; do sleep 1; done # ${marker}`] }] } };
  assert.equal((await run('kubectl', ['apply', '-f', '-'], JSON.stringify(pod))).code, 0);
  const podJson = async () => JSON.parse((await run('kubectl', ['get', 'pod', 'sleeper', '-o', 'json'])).out);
  await until('sleeper Running', async () => (await podJson()).status?.phase === 'Running' && withMarker().length === 1, 60_000);
  const before = withMarker()[0].trim().split(/\s+/)[0];

  process.kill(Number(readFileSync(join(home, 'server.pid'), 'utf8')), 'SIGKILL');
  const again = await cli('start');
  assert.equal(again.code, 0, again.out);
  const after = await until('sleeper running again in a new process, the old one gone', async () => {
    const p = await podJson();
    const lines = withMarker();
    return p.status?.containerStatuses?.[0]?.state?.running && lines.length === 1 && lines[0].trim().split(/\s+/)[0] !== before && lines;
  }, 60_000);
  assert.equal(after.length, 1);
  assert.ok((await podJson()).status.containerStatuses[0].restartCount >= 1, 'the restart counts, as on a rebooted node');

  const stopped = await cli('stop');
  assert.equal(stopped.code, 0, stopped.out);
  assert.deepEqual(withMarker(), []);
  assert.deepEqual(leftovers(home), []);
});
