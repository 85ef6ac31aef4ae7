// Cluster DNS on the real node, black-box with the real kubectl: pods running the seed's image (built from
// examples/flask) get upstream's resolv.conf and resolve Services by short and full names through 10.96.0.10 (the
// kube-dns Service, reached through the service proxy), headless Services to pod IPs with hostname/subdomain
// records, SRV for named ports, names outside the cluster through the upstream resolver (a fake one on
// 127.0.0.1 here: no outside network), dnsPolicy None with dnsConfig; the server stops listening with the cluster.
// Needs root, runc, the CNI plugins and nft; skipped otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { kubectlApply as apply, kubectlGet as get, nanokubeCli as nanokube, startTestCluster, examplePath, type TestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';
import { readHostResolvConf, runcUnavailableReason } from '../src/kubelet/index.js';
import { nftUnavailableReason, proxyTableName } from '../src/proxy/index.js';
import { FakeUpstream, dnsQuery } from '../src/dns/index.js';

const why = runcUnavailableReason() ?? nftUnavailableReason();
const skip = why ? `skipped: ${why}` : false;
// Subnets of our own (the proxy and node tests pick theirs from 10.160–10.223).
const ownCIDR = () => `10.${100 + Math.floor(Math.random() * 60)}.0.0/16`;

const inPod = async (c: TestCluster, pod: string, script: string) => {
  const r = await c.kubectl(['exec', pod, '--', 'python3', '-c', script]);
  if (r.code !== 0) throw new Error(r.stderr || r.stdout);
  return r.stdout.trim();
};
const resolveIn = (c: TestCluster, pod: string, name: string) => inPod(c, pod, `import socket; print(socket.gethostbyname('${name}'))`);
const resolveAllIn = async (c: TestCluster, pod: string, name: string) =>
  (await inPod(c, pod, `import socket; print(' '.join(sorted(set(a[4][0] for a in socket.getaddrinfo('${name}', None, socket.AF_INET)))))`)).split(' ').sort();

// An SRV query from inside the pod to its resolv.conf nameserver, with nothing but the standard library:
// prints "<rcode> <port>:<target> ...".
const SRV_QUERY = (name: string) => `
import socket, struct, random
ns = [l.split()[1] for l in open('/etc/resolv.conf') if l.startswith('nameserver')][0]
q = struct.pack('>HHHHHH', random.randint(0, 65535), 0x0100, 1, 0, 0, 0) + b''.join(bytes([len(p)]) + p.encode() for p in '${name}'.split('.')) + b'\\0' + struct.pack('>HH', 33, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5); s.sendto(q, (ns, 53)); r = s.recv(4096)
def name(o):
  parts = []
  while True:
    n = r[o]
    if n == 0: return '.'.join(parts), o + 1
    if n & 0xc0 == 0xc0:
      return '.'.join(parts + [name(((n & 0x3f) << 8) | r[o + 1])[0]]).strip('.'), o + 2
    parts.append(r[o + 1:o + 1 + n].decode()); o += 1 + n
rcode = r[3] & 15; an = struct.unpack('>H', r[6:8])[0]
o = name(12)[1] + 4; out = []
for i in range(an):
  o = name(o)[1]; t, c, ttl, l = struct.unpack('>HHIH', r[o:o + 10]); o += 10
  if t == 33:
    pr, w, port = struct.unpack('>HHH', r[o:o + 6]); out.append('%d:%s' % (port, name(o + 6)[0]))
  o += l
print(rcode, ' '.join(sorted(out)))
`;

test('cluster DNS: pods resolve Services (short and full names), headless Services and hostnames, SRV, outside names; resolv.conf as upstream', { skip, timeout: 600_000 }, async (t) => {
  const upstream = await new FakeUpstream(new Map([['db.example.org', [{ type: 'A', name: 'db.example.org', ttl: 60, data: '192.0.2.80' }]]])).start();
  t.after(() => upstream.stop());
  const c = await startTestCluster(t, { node: true, clusterCIDR: ownCIDR(), dnsUpstreams: [{ host: '127.0.0.1', port: upstream.port }] });
  const table = proxyTableName(c.home);
  t.after(() => { execFileSync('nft', ['-f', '-'], { input: `add table ip ${table}\ndelete table ip ${table}\n` }); });
  await until('node Ready', async () => (await get(c, ['node', 'nanokube'])).status.conditions.some((x: any) => x.type === 'Ready' && x.status === 'True'), 60_000);

  // The kube-dns Service as kubeadm's, and its endpoint: the pod network gateway, port 53.
  const kubeDns = await until('the kube-dns Service', async () => (await get(c, ['services', '-n', 'kube-system'])).items.find((s: any) => s.metadata.name === 'kube-dns'), 30_000);
  assert.equal(kubeDns.spec.clusterIP, '10.96.0.10');
  assert.deepEqual(kubeDns.spec.ports.map((p: any) => [p.name, p.port, p.protocol]), [['dns', 53, 'UDP'], ['dns-tcp', 53, 'TCP']]);
  assert.equal(kubeDns.metadata.labels['k8s-app'], 'kube-dns');
  const podCIDR: string = (await get(c, ['node', 'nanokube'])).spec.podCIDR;
  const gateway = podCIDR.replace(/\.0\/\d+$/, '.1');
  const slice = await until('the kube-dns EndpointSlice', async () => (await get(c, ['endpointslices', '-n', 'kube-system', '-l', 'kubernetes.io/service-name=kube-dns'])).items[0], 30_000);
  assert.deepEqual(slice.endpoints.map((e: any) => e.addresses), [[gateway]]);
  assert.notEqual(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  const eps = await until('the kube-dns Endpoints', async () => (await get(c, ['endpoints', '-n', 'kube-system'])).items.find((e: any) => e.metadata.name === 'kube-dns'), 30_000);
  assert.deepEqual(eps.subsets.map((s: any) => s.addresses.map((a: any) => a.ip)), [[gateway]], 'kubectl describe service kube-dns shows the endpoint');

  const built = await nanokube(c, ['image', 'build', '-t', 'your-dockerhub-username/flask-app:latest', examplePath('flask')]);
  assert.equal(built.code, 0, built.stdout + built.stderr);
  for (const f of ['db-secret.yaml', 'app-config.yaml', 'flask-deployment.yaml']) {
    const r = await c.kubectl(['apply', '-f', examplePath(f)]);
    assert.equal(r.code, 0, r.stderr);
  }
  const image = 'your-dockerhub-username/flask-app:latest';
  await apply(c, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db-service' }, spec: { selector: { app: 'db' }, ports: [{ name: 'postgres', port: 5432, protocol: 'TCP' }] } });
  await apply(c, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ name: 'http', port: 5000, protocol: 'TCP' }] } });
  await apply(c, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'db.example.org' } });
  await apply(c, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', labels: { app: 'web' } }, spec: { hostname: 'web-0', subdomain: 'web', containers: [{ name: 'app', image, imagePullPolicy: 'Never' }] } });
  await apply(c, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'custom-dns' }, spec: { dnsPolicy: 'None', dnsConfig: { nameservers: ['192.0.2.53'], searches: ['corp.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] }, containers: [{ name: 'app', image, imagePullPolicy: 'Never' }] } });
  const rollout = await c.kubectl(['rollout', 'status', 'deployment/flask-app', '--timeout=120s']);
  assert.equal(rollout.code, 0, rollout.stderr + rollout.stdout);
  await until('web-0 and custom-dns Ready', async () => (await get(c, ['pods', 'web-0', 'custom-dns'])).items.every((p: any) => p.status.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True')), 120_000);
  const pod = (await get(c, ['pods', '-l', 'app=flask-app'])).items[0].metadata.name as string;
  const dbIP: string = (await get(c, ['service', 'db-service'])).spec.clusterIP;
  const webIP: string = (await get(c, ['pod', 'web-0'])).status.podIP;

  const host = readHostResolvConf();
  const search = ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local', ...host.searches.filter((s) => !['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'].includes(s))].slice(0, 32);
  assert.equal((await c.kubectl(['exec', pod, '--', 'cat', '/etc/resolv.conf'])).stdout, `search ${search.join(' ')}\nnameserver 10.96.0.10\noptions ndots:5\n`);
  assert.equal((await c.kubectl(['exec', 'custom-dns', '--', 'cat', '/etc/resolv.conf'])).stdout, 'search corp.example\nnameserver 192.0.2.53\noptions ndots:2 edns0\n');
  // A pod with hostname and subdomain has its FQDN in /etc/hosts, as the kubelet-managed hosts file upstream.
  assert.match((await c.kubectl(['exec', 'web-0', '--', 'cat', '/etc/hosts'])).stdout, new RegExp(`\\n${webIP.replace(/\./g, '\\.')}\\tweb-0\\.web\\.default\\.svc\\.cluster\\.local\\tweb-0\\n`));
  assert.equal(await inPod(c, 'web-0', 'import socket; print(socket.getfqdn())'), 'web-0.web.default.svc.cluster.local');

  // The seed's check, and the other spellings of the name.
  for (const name of ['db-service', 'db-service.default', 'db-service.default.svc', 'db-service.default.svc.cluster.local']) {
    assert.equal(await resolveIn(c, pod, name), dbIP, name);
  }
  assert.equal(await resolveIn(c, pod, 'kubernetes.default'), '10.96.0.1');
  assert.match(await inPod(c, pod, `import socket\ntry:\n  socket.gethostbyname('nope-service')\nexcept socket.gaierror as e:\n  print('gaierror', e.errno)`), /^gaierror -[25]$/);

  // Headless: the ready pods' IPs, and the pod with hostname/subdomain by its own name.
  assert.deepEqual(await resolveAllIn(c, pod, 'web'), [webIP]);
  assert.equal(await resolveIn(c, pod, 'web-0.web'), webIP);
  assert.equal(await resolveIn(c, pod, 'web-0.web.default.svc.cluster.local'), webIP);
  assert.equal(await resolveIn(c, pod, `${webIP.replace(/\./g, '-')}.default.pod.cluster.local`), webIP);

  // SRV for named ports, from inside a pod and from the host (at the server's own address: from the host itself,
  // 10.96.0.10 is the same ClusterIP in every cluster, so with other test clusters running beside this one the
  // host's packets may be taken by another cluster's rules; pods' packets are matched by their own bridge).
  assert.equal(await inPod(c, pod, SRV_QUERY('_postgres._tcp.db-service.default.svc.cluster.local')), '0 5432:db-service.default.svc.cluster.local');
  assert.equal(await inPod(c, pod, SRV_QUERY('_http._tcp.web.default.svc.cluster.local')), '0 5000:web-0.web.default.svc.cluster.local');
  const fromHost = await dnsQuery({ host: gateway, port: 53 }, '_http._tcp.web.default.svc.cluster.local', 'SRV');
  assert.deepEqual(fromHost.answers!.map((a: any) => a.data), [{ priority: 0, weight: 100, port: 5000, target: 'web-0.web.default.svc.cluster.local' }]);
  assert.deepEqual(fromHost.additionals!.filter((a: any) => a.type === 'A').map((a: any) => a.data), [webIP]);
  const ptr = await dnsQuery({ host: gateway, port: 53 }, `${dbIP.split('.').reverse().join('.')}.in-addr.arpa`, 'PTR');
  assert.deepEqual(ptr.answers!.map((a: any) => a.data), ['db-service.default.svc.cluster.local']);

  // Outside names go to the upstream resolver; an ExternalName Service is its CNAME.
  assert.equal(await resolveIn(c, pod, 'db.example.org'), '192.0.2.80');
  assert.equal(await resolveIn(c, pod, 'ext'), '192.0.2.80');
  assert.ok(upstream.asked.includes('db.example.org A'));

  // A new Service resolves as soon as it exists; a deleted one stops resolving.
  await apply(c, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'late' }, spec: { selector: { app: 'late' }, ports: [{ port: 80 }] } });
  const lateIP: string = (await get(c, ['service', 'late'])).spec.clusterIP;
  await until('late resolves', async () => (await resolveIn(c, pod, 'late').catch(() => '')) === lateIP, 30_000);
  assert.equal((await c.kubectl(['delete', 'service', 'late'])).code, 0);
  await until('late is gone', async () => (await resolveIn(c, pod, 'late').catch(() => 'gone')) === 'gone', 30_000);

  await c.stop();
  const listeners = execFileSync('ss', ['-lnup']).toString();
  assert.ok(!listeners.includes(`${gateway}:53 `), 'nothing listens on the gateway after stop');
});
