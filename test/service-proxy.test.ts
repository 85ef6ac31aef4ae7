// The service proxy on the real node, black-box: the seed's app (image built from examples/flask) behind Services,
// reached with the real kubectl's objects through the kernel's rules (nftables as root): NodePorts on `nanokube ip`
// and the node's address, ClusterIPs from the host and from inside pods (hairpin included), LoadBalancer ingress,
// a named targetPort, UDP, `nanokube service --url`, no failed request while a Deployment rolls, and nothing left
// once the cluster stopped. Needs root, runc, the CNI plugins and nft; skipped otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { kubectlApply as apply, kubectlGet as get, nanokubeCli as nanokube, startTestCluster, examplePath, type TestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';
import { ownCIDR } from './helpers/node.js';
import { runcUnavailableReason } from '../src/kubelet/index.js';
import { nftUnavailableReason, proxyTableName } from '../src/proxy/index.js';
import { homePaths, saveConfig } from '../src/cli/home.js';
import { hammerWhile, httpGet, listening } from './helpers/net.js';

const why = runcUnavailableReason() ?? nftUnavailableReason();
const skip = why ? `skipped: ${why}` : false;

const hostnameAt = async (url: string) => JSON.parse((await httpGet(url)).body).hostname as string;

/** Distinct answers of `probe` over at most `tries` calls, stopping once `want` are seen. */
async function distinct(probe: () => Promise<string>, want: number, tries = 60): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < tries && seen.size < want; i++) seen.add(await probe());
  return seen;
}

const inPod = async (c: TestCluster, pod: string, script: string) => {
  const r = await c.kubectl(['exec', pod, '--', 'python3', '-c', script]);
  if (r.code !== 0) throw new Error(r.stderr || r.stdout);
  return r.stdout.trim();
};
const fetchInPod = (url: string) => `import urllib.request, json\nfor i in range(12):\n  print(json.load(urllib.request.urlopen('${url}', timeout=5))['hostname'])`;


const nftTables = () => execFileSync('nft', ['list', 'tables']).toString();

test('service proxy: NodePort, ClusterIP (host, pod, hairpin), LoadBalancer, named targetPort and UDP reach ready endpoints; a rolling update fails no request; stop leaves no rule or listener', { skip, timeout: 600_000 }, async (t) => {
  const c = await startTestCluster(t, { node: true, clusterCIDR: ownCIDR() });
  const table = proxyTableName(c.home);
  t.after(() => { execFileSync('nft', ['-f', '-'], { input: `add table ip ${table}\ndelete table ip ${table}\n` }); });
  saveConfig(homePaths(c.home), { apiPort: c.plane.port, listenAddress: '127.0.0.1' });
  await until('node Ready', async () => (await get(c, ['node', 'nanokube'])).status.conditions.some((x: any) => x.type === 'Ready' && x.status === 'True'), 60_000);
  const built = await nanokube(c, ['image', 'build', '-t', 'your-dockerhub-username/flask-app:latest', examplePath('flask')]);
  assert.equal(built.code, 0, built.stdout + built.stderr);
  for (const f of ['db-secret.yaml', 'app-config.yaml', 'flask-deployment.yaml']) {
    const r = await c.kubectl(['apply', '-f', examplePath(f)]);
    assert.equal(r.code, 0, r.stderr);
  }
  // The seed's Service, with a nodePort the API server picks (a fixed 30001 could meet another test's cluster).
  await apply(c, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'flask-service' }, spec: { type: 'NodePort', selector: { app: 'flask-app' }, ports: [{ protocol: 'TCP', port: 5000, targetPort: 5000 }] } });
  const rollout = await c.kubectl(['rollout', 'status', 'deployment/flask-app', '--timeout=120s']);
  assert.equal(rollout.code, 0, rollout.stderr + rollout.stdout);
  const svc = await get(c, ['service', 'flask-service']);
  const nodePort: number = svc.spec.ports[0].nodePort;
  const clusterIP: string = svc.spec.clusterIP;
  const pods = (await get(c, ['pods', '-l', 'app=flask-app'])).items.map((p: any) => p.metadata.name).sort();
  assert.equal(pods.length, 2);
  // The app listens a moment after its container started (no readiness probe in the seed): wait for the first answer.
  const ip = (await nanokube(c, ['ip'])).stdout.trim();
  const nodeURL = `http://${ip}:${nodePort}/`;
  await until('the NodePort answers', async () => (await httpGet(nodeURL).catch(() => undefined))?.status === 200, 60_000);

  const viaNodePort = await distinct(() => hostnameAt(nodeURL), 2);
  assert.deepEqual([...viaNodePort].sort(), pods, `both replicas answer on ${nodeURL}`);
  const body = JSON.parse((await httpGet(nodeURL)).body);
  assert.equal(body.database_user, 'postgres');
  assert.equal(body.app_env, 'production');
  const node = await get(c, ['node', 'nanokube']);
  const internalIP: string = node.status.addresses.find((a: any) => a.type === 'InternalIP').address;
  assert.equal((await httpGet(`http://${internalIP}:${nodePort}/`)).status, 200, 'the NodePort answers on the node\'s InternalIP too');
  assert.deepEqual([...await distinct(() => hostnameAt(`http://${clusterIP}:5000/`), 2)].sort(), pods, 'both replicas answer on the ClusterIP from the host');

  const url = await nanokube(c, ['service', 'flask-service', '--url']);
  assert.equal(url.code, 0, url.stderr);
  assert.equal(url.stdout, `http://127.0.0.1:${nodePort}\n`);
  const kubernetes = await nanokube(c, ['service', 'kubernetes', '--url']);
  assert.equal(kubernetes.code, 1);
  assert.equal(kubernetes.stderr, 'nanokube service: service default/kubernetes has no node port (type ClusterIP); only NodePort and LoadBalancer Services are reachable from this machine\n');
  const missing = await nanokube(c, ['service', 'nope', '--url']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^nanokube service: service 'nope' was not found in 'default' namespace/);

  // From inside a pod: the ClusterIP reaches both replicas, its own included (hairpin, masqueraded).
  const fromPod = new Set((await inPod(c, pods[0], fetchInPod(`http://${clusterIP}:5000/`))).split('\n'));
  for (let i = 0; i < 4 && fromPod.size < 2; i++) for (const h of (await inPod(c, pods[0], fetchInPod(`http://${clusterIP}:5000/`))).split('\n')) fromPod.add(h);
  assert.deepEqual([...fromPod].sort(), pods, 'a pod reaches both replicas, itself included, through its Service');

  // A LoadBalancer gets the node's address at once, and its port answers there.
  await apply(c, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'flask-lb' }, spec: { type: 'LoadBalancer', selector: { app: 'flask-app' }, ports: [{ port: 18080, targetPort: 5000 }] } });
  const lb = await until('LoadBalancer ingress', async () => (await get(c, ['service', 'flask-lb'])).status?.loadBalancer?.ingress?.[0]?.ip, 30_000);
  assert.equal(lb, internalIP);
  const lbLine = (await c.kubectl(['get', 'service', 'flask-lb', '--no-headers'])).stdout;
  assert.match(lbLine, new RegExp(`flask-lb\\s+LoadBalancer\\s+\\S+\\s+${internalIP.replace(/\./g, '\\.')}\\s+18080:\\d+/TCP`));
  assert.equal((await until('LoadBalancer port answers', async () => (await httpGet(`http://${lb}:18080/`).catch(() => undefined))?.status, 30_000)), 200);

  // A named targetPort and UDP: an echo server (python3 from the same image) with ports named per protocol.
  await apply(c, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'echo', labels: { app: 'echo' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{
    name: 'echo', image: 'your-dockerhub-username/flask-app:latest',
    command: ['python3', '-c', [
      'import socket, threading, http.server',
      'u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 9053))',
      'def udp():',
      '  while True:',
      '    d, a = u.recvfrom(2048); u.sendto(b"echo:" + d, a)',
      'threading.Thread(target=udp, daemon=True).start()',
      'class H(http.server.BaseHTTPRequestHandler):',
      '  def do_GET(self):',
      '    self.send_response(200); self.end_headers(); self.wfile.write(b"named-port-ok")',
      'http.server.HTTPServer(("0.0.0.0", 8088), H).serve_forever()',
    ].join('\n')],
    ports: [{ name: 'web', containerPort: 8088 }, { name: 'dns-ish', containerPort: 9053, protocol: 'UDP' }],
  }] } });
  await apply(c, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo' }, spec: { selector: { app: 'echo' }, ports: [
    { name: 'http', port: 80, targetPort: 'web' }, { name: 'udp', port: 53, protocol: 'UDP', targetPort: 'dns-ish' },
  ] } });
  await until('echo Ready', async () => (await get(c, ['pod', 'echo'])).status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'), 60_000);
  const echoIP: string = (await get(c, ['service', 'echo'])).spec.clusterIP;
  const named = await until('named targetPort answers', async () => (await httpGet(`http://${echoIP}:80/`).catch(() => undefined))?.body, 30_000);
  assert.equal(named, 'named-port-ok');
  const udp = await inPod(c, pods[1], [
    'import socket', 's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)',
    'for i in range(10):',
    '  try:',
    `    s.sendto(b"ping", ("${echoIP}", 53)); print(s.recvfrom(2048)[0].decode()); break`,
    '  except socket.timeout: pass',
  ].join('\n'));
  assert.equal(udp, 'echo:ping', 'UDP through the ClusterIP reaches the named UDP port');

  // A client hammering the NodePort while the Deployment rolls to a new template sees no failed request.
  const { answered: ok, failures } = await hammerWhile(() => httpGet(nodeURL), async () => {
    const patched = await c.kubectl(['patch', 'deployment', 'flask-app', '-p', JSON.stringify({ spec: { template: { metadata: { annotations: { rolled: 'yes' } } } } })]);
    assert.equal(patched.code, 0, patched.stderr);
    const rolled = await c.kubectl(['rollout', 'status', 'deployment/flask-app', '--timeout=180s']);
    assert.equal(rolled.code, 0, rolled.stderr + rolled.stdout);
    // The old pods finish terminating after rollout status returns; keep going until they are gone.
    await until('old pods gone', async () => (await get(c, ['pods', '-l', 'app=flask-app'])).items.every((p: any) => !pods.includes(p.metadata.name)), 120_000);
  }, { maxRequests: 20_000 });
  assert.ok(ok > 20, `requests answered during the rollout: ${ok}`);
  assert.deepEqual(failures, [], `no request failed during the rolling update (${ok} answered)`);

  await c.stop();
  assert.ok(!nftTables().includes(table), 'the proxy\'s nftables table is gone after stop');
  assert.equal(await listening(nodePort), false, 'nothing answers on the NodePort after stop');
});
