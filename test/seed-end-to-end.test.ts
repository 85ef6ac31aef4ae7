// The seed course's Hands-On Demonstration and Assignment end to end (issue 8's block), black-box, as a user runs
// it: `nanokube start` through the CLI with its own home and kubeconfig, `nanokube image build`, the real kubectl
// with the seed's manifests verbatim, curl-like requests to `nanokube ip`:30001, scaling, a ConfigMap change rolled
// out with a template annotation while a client hammers the NodePort, rollout undo, cluster DNS from inside a pod,
// and deletion leaving nothing behind. Needs root, runc, the CNI plugins and nft; skipped otherwise.
// nodePort 30001 is host-global: the test holds the cross-process lock on it (test/helpers/host-port-lock.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { examplePath } from './helpers/cluster.js';
import { ownCIDR, realNodeSkip } from './helpers/node.js';
import { holdHostPort } from './helpers/host-port-lock.js';
import { until } from './helpers/until.js';
import { clusterNetworkNames } from '../src/kubelet/index.js';
import { nftUnavailableReason, proxyTableName } from '../src/proxy/index.js';
import { hammerWhile, httpGet, listening, freePort } from './helpers/net.js';

const nftWhy = nftUnavailableReason();
const skip = realNodeSkip || (nftWhy ? `skipped: ${nftWhy}` : false);

type Run = { code: number; stdout: string; stderr: string };




/** Processes of this cluster: any whose command line names its home, or that live in its cgroups (the containers). */
function clusterProcesses(home: string): string[] {
  const cgroup = `/nanokube-${clusterNetworkNames(home).hash}/`;
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (args.includes(home) || readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(cgroup)) found.push(`${pid} ${args}`);
    } catch { /* gone meanwhile */ }
  }
  return found;
}

test('the seed end to end: start, image build, the four manifests, the app on `nanokube ip`:30001 with its Secret and ConfigMap, scale to 3, a ConfigMap change rolled out with no failed request, undo, db-service resolving in a pod; delete leaves nothing', { skip, timeout: 900_000 }, async (t) => {
  await holdHostPort(t, 30001);
  const home = mkdtempSync(join(tmpdir(), 'nanokube-seed-e2e-'));
  const env = { ...process.env, NANOKUBE_HOME: home, KUBECONFIG: join(home, 'kubeconfig'), HOME: join(home, 'user'), KUBECACHEDIR: join(home, 'user', 'cache') };
  const run = (cmd: string, args: string[], input?: string) => new Promise<Run>((resolve) => {
    const child = execFile(cmd, args, { env, timeout: 300_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0, stdout, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
  const nanokube = (...args: string[]) => run(process.execPath, [join(process.cwd(), 'bin', 'nanokube.js'), ...args]);
  const kubectl = (...args: string[]) => run('kubectl', args);
  const ok = async (p: Promise<Run>) => { const r = await p; assert.equal(r.code, 0, r.stdout + r.stderr); return r.stdout; };
  const get = async (...what: string[]) => JSON.parse(await ok(kubectl('get', ...what, '-o', 'json')));
  const table = proxyTableName(home);
  const edited = mkdtempSync(join(tmpdir(), 'nanokube-seed-edit-'));
  t.after(async () => {
    await nanokube('stop');
    await nanokube('delete');
    try { execFileSync('nft', ['-f', '-'], { input: `add table ip ${table}\ndelete table ip ${table}\n` }); } catch { /* nft gone */ }
    rmSync(home, { recursive: true, force: true });
    rmSync(edited, { recursive: true, force: true });
  });

  // npx nanokube start ; npx nanokube image build -t your-dockerhub-username/flask-app:latest examples/flask
  const started = await nanokube('start', '--api-port', String(await freePort()), '--cluster-cidr', ownCIDR());
  assert.equal(started.code, 0, started.stdout + started.stderr);
  assert.match(started.stdout, /Node "nanokube" is Ready/);
  await ok(nanokube('image', 'build', '-t', 'your-dockerhub-username/flask-app:latest', examplePath('flask')));

  // The four applies, verbatim.
  const applied: string[] = [];
  for (const f of ['db-secret.yaml', 'app-config.yaml', 'flask-deployment.yaml', 'flask-service.yaml']) applied.push((await ok(kubectl('apply', '-f', examplePath(f)))).trim());
  assert.deepEqual(applied, ['secret/db-secret created', 'configmap/app-config created', 'deployment.apps/flask-app created', 'service/flask-service created']);
  await ok(kubectl('rollout', 'status', 'deployment/flask-app', '--timeout=180s'));

  // curl http://$(npx nanokube ip):30001/ — the app answers with the Secret's and ConfigMap's values.
  const ip = (await ok(nanokube('ip'))).trim();
  const url = `http://${ip}:30001/`;
  const answer = async () => JSON.parse((await httpGet(url)).body);
  const first = await until('the app answers on :30001', async () => { const r = await httpGet(url).catch(() => undefined); return r?.status === 200 && JSON.parse(r.body); }, 60_000);
  assert.equal(first.database_user, 'postgres', 'DATABASE_USER from the Secret');
  assert.equal(first.database_password_set, true, 'DATABASE_PASSWORD from the Secret is set');
  assert.ok(!Object.values(first).includes('password'), 'the password itself (\'password\' in db-secret.yaml) is not shown');
  assert.equal(first.app_env, 'production', 'APP_ENV from the ConfigMap');
  assert.equal(first.log_level, 'info', 'LOG_LEVEL from the ConfigMap');
  assert.equal(first.database_host, 'db-service');
  const podNames = async () => (await get('pods', '-l', 'app=flask-app', '--field-selector=status.phase=Running')).items
    .filter((p: any) => !p.metadata.deletionTimestamp).map((p: any) => p.metadata.name).sort();
  const distinctHostnames = async (want: number) => {
    const seen = new Set<string>();
    for (let i = 0; i < 90 && seen.size < want; i++) seen.add((await answer()).hostname);
    return [...seen].sort();
  };
  const two = await podNames();
  assert.equal(two.length, 2);
  assert.deepEqual(await distinctHostnames(2), two, 'repeated requests reach both pods');

  // npx nanokube service flask-service --url
  assert.equal(await ok(nanokube('service', 'flask-service', '--url')), `http://${ip}:30001\n`);

  // kubectl scale deployment flask-app --replicas=3 — three distinct pod names answer.
  assert.equal((await ok(kubectl('scale', 'deployment', 'flask-app', '--replicas=3'))).trim(), 'deployment.apps/flask-app scaled');
  await ok(kubectl('rollout', 'status', 'deployment/flask-app', '--timeout=180s'));
  const three = await until('3 pods Running', async () => { const n = await podNames(); return n.length === 3 && n; }, 60_000);
  assert.deepEqual(await distinctHostnames(3), three, 'three distinct pod names answer through :30001');
  const firstRevisionHash: string = (await get('pod', three[0])).metadata.labels['pod-template-hash'];

  // A ConfigMap change rolled out with a template annotation change (an edited copy of flask-deployment.yaml,
  // re-applied), while a client hammers :30001: no request fails.
  const { answered, failures } = await hammerWhile(() => httpGet(url), async () => {
    await ok(kubectl('patch', 'configmap', 'app-config', '-p', '{"data":{"LOG_LEVEL":"debug"}}'));
    const manifest = readFileSync(examplePath('flask-deployment.yaml'), 'utf8');
    const withAnnotation = manifest.replace('  template:\n    metadata:\n', '  template:\n    metadata:\n      annotations:\n        config-version: "2"\n');
    assert.notEqual(withAnnotation, manifest);
    writeFileSync(join(edited, 'flask-deployment.yaml'), withAnnotation);
    assert.equal((await ok(kubectl('apply', '-f', join(edited, 'flask-deployment.yaml')))).trim(), 'deployment.apps/flask-app configured');
    assert.match(await ok(kubectl('rollout', 'status', 'deployment/flask-app', '--timeout=180s')), /deployment "flask-app" successfully rolled out/);
    // The old pods finish terminating after rollout status returns: keep hammering until they are gone.
    await until('only the new pods left', async () => {
      const pods = (await get('pods', '-l', 'app=flask-app')).items;
      return pods.length > 0 && pods.every((p: any) => p.metadata.annotations?.['config-version'] === '2' && !p.metadata.deletionTimestamp);
    }, 180_000);
  });
  assert.ok(answered > 20, `requests answered during the rollout: ${answered}`);
  assert.deepEqual(failures, [], `no request to :30001 failed during the rollout (${answered} answered)`);
  const rolled = await podNames();
  assert.deepEqual(await distinctHostnames(rolled.length), rolled);
  for (let i = 0; i < 6; i++) assert.equal((await answer()).log_level, 'debug', 'the new LOG_LEVEL reached the app');

  // kubectl rollout undo deployment/flask-app — the earlier revision's template is back (the annotation gone).
  assert.equal((await ok(kubectl('rollout', 'undo', 'deployment/flask-app'))).trim(), 'deployment.apps/flask-app rolled back');
  await ok(kubectl('rollout', 'status', 'deployment/flask-app', '--timeout=180s'));
  const undone = await get('deployment', 'flask-app');
  assert.equal(undone.spec.template.metadata.annotations?.['config-version'], undefined, 'the template annotation is gone');
  const back = await until('only pods of the first revision left', async () => {
    const pods = (await get('pods', '-l', 'app=flask-app')).items;
    return pods.length > 0 && pods.every((p: any) => !p.metadata.deletionTimestamp && p.metadata.labels['pod-template-hash'] === firstRevisionHash) && pods;
  }, 180_000);
  assert.ok(back.length >= 2);

  // DNS inside a pod: db-service resolves once a Service of that name exists; flask-service to its ClusterIP.
  await ok(run('kubectl', ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db-service' }, spec: { ports: [{ port: 5432 }] } })));
  const dbIP: string = (await get('service', 'db-service')).spec.clusterIP;
  const resolve = (name: string) => kubectl('exec', 'deploy/flask-app', '--', 'python3', '-c', `import socket; print(socket.gethostbyname('${name}'))`);
  assert.equal(await until('db-service resolves in a pod', async () => { const r = await resolve('db-service'); return r.code === 0 && r.stdout.trim(); }, 60_000), dbIP);
  const flaskIP: string = (await get('service', 'flask-service')).spec.clusterIP;
  assert.equal((await ok(resolve('flask-service'))).trim(), flaskIP);

  // kubectl delete service flask-service ; kubectl delete deployment flask-app ; nanokube stop ; nanokube delete
  assert.equal((await ok(kubectl('delete', 'service', 'flask-service'))).trim(), 'service "flask-service" deleted');
  assert.equal((await ok(kubectl('delete', 'deployment', 'flask-app'))).trim(), 'deployment.apps "flask-app" deleted');
  await ok(nanokube('stop'));
  await ok(nanokube('delete'));
  assert.deepEqual(clusterProcesses(home), [], 'no process of this cluster (runc, sandboxes, app.py) is left');
  assert.equal(await listening(30001), false, 'nothing listens on :30001');
  assert.ok(!execFileSync('nft', ['list', 'tables']).toString().includes(table), `no nftables table ${table}`);
  const names = clusterNetworkNames(home);
  assert.ok(!execFileSync('ip', ['-o', 'link', 'show']).toString().includes(names.bridge), `no interface ${names.bridge}`);
  // The pods' network namespaces are nsfs mounts under the home (runtime/netns): none may be left.
  assert.deepEqual(readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(home)), [], 'no mount (network namespace, rootfs) of this home');
});
