// Cluster DNS queries per second (and p99 latency), each figure beside a baseline measured the same way in the
// same run. The load comes from a worker thread (its own event loop, so the load generator does not share the
// server's): one UDP socket, `concurrency` queries outstanding, dns-packet encoding, for `seconds` each.
//   1. the cluster DNS server (src/dns, over informers of an in-process cluster holding `services` Services with
//      EndpointSlices) answering a Service name: db-service.default.svc.cluster.local A;
//   2. the same server answering a headless Service (10 endpoints), and an outside name from its cache;
//   3. baselines: the host's resolver (first nameserver of /etc/resolv.conf) for an outside name, when it answers;
//      and always a minimal dns-packet responder on 127.0.0.1 (no records logic, no cache: the floor of a
//      Node.js DNS server here). With no network (CI, this sandbox) the host's resolver does not answer and only
//      the minimal responder is the baseline; the output says which.
//   node dist/bench/dns.bench.js [seconds=5] [concurrency=64] [services=300]
// (A query costs a map lookup whatever the number of Services; the count only shows that it does not matter.)
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import * as dnsPacket from 'dns-packet';
import { startCluster } from '../src/cmd/cluster.js';
import { resources } from '../src/api/resources.js';
import { InformerFactory } from '../src/client/informer.js';
import { discardLog } from '../src/client/log.js';
import { FakeUpstream, dnsQuery, hostUpstreams, startClusterDNS } from '../src/dns/index.js';

interface LoadSpec { host: string; port: number; name: string; type: string; seconds: number; concurrency: number }
interface LoadResult { qps: number; p99Ms: number; answered: number; errors: number; rcodes: Record<string, number> }

/** The worker: keeps `concurrency` queries in flight over one socket, resending nothing (a lost query counts as an error). */
async function load(spec: LoadSpec): Promise<LoadResult> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, () => r()));
  const sent = new Map<number, number>();
  const lat: number[] = [];
  const rcodes: Record<string, number> = {};
  let errors = 0;
  let nextId = 0;
  const end = performance.now() + spec.seconds * 1000;
  let done!: () => void;
  const finished = new Promise<void>((r) => { done = r; });
  const send = () => {
    if (performance.now() >= end) { if (sent.size === 0) done(); return; }
    const id = (nextId = (nextId + 1) & 0xffff);
    if (sent.has(id)) { errors++; sent.delete(id); }
    sent.set(id, performance.now());
    sock.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: spec.name, type: spec.type as 'A', class: 'IN' }] }), spec.port, spec.host);
  };
  sock.on('message', (m) => {
    const id = m.readUInt16BE(0);
    const t0 = sent.get(id);
    if (t0 === undefined) return;
    sent.delete(id);
    lat.push(performance.now() - t0);
    const rcode = (dnsPacket.decode(m) as { rcode?: string }).rcode ?? '?';
    rcodes[rcode] = (rcodes[rcode] ?? 0) + 1;
    send();
  });
  // A query with no reply in 1 s is lost: count it and keep the window full.
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const [id, t0] of sent) if (now - t0 > 1000) { sent.delete(id); errors++; send(); }
    if (now >= end && sent.size === 0) done();
  }, 100);
  for (let i = 0; i < spec.concurrency; i++) send();
  await finished;
  clearInterval(sweeper);
  sock.close();
  lat.sort((a, b) => a - b);
  return { qps: lat.length / spec.seconds, p99Ms: lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))] ?? NaN, answered: lat.length, errors, rcodes };
}

function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(fileURLToPath(import.meta.url), { workerData: spec });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

const fmt = (r: LoadResult) => `${Math.round(r.qps).toString().padStart(7)} q/s   p99 ${r.p99Ms.toFixed(2).padStart(6)} ms   ${r.errors ? `${r.errors} lost ` : ''}${Object.entries(r.rcodes).map(([k, v]) => `${k}×${v}`).join(' ')}`;

async function main() {
  const seconds = Number(process.argv[2] ?? 5);
  const concurrency = Number(process.argv[3] ?? 64);
  const nServices = Number(process.argv[4] ?? 300);
  const cluster = await startCluster({ serve: 'handler' });
  const client = cluster.client();
  const ac = new AbortController();
  const upstream = await new FakeUpstream(new Map([['example.org', [{ type: 'A', name: 'example.org', ttl: 300, data: '192.0.2.80' }]]])).start();
  try {
    // Services with a ClusterIP each and one headless one with 10 ready endpoints.
    const t0 = performance.now();
    for (let i = 0; i < nServices; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, nServices - i) }, (_, j) => client.create(resources.services, 'default', {
        apiVersion: 'v1', kind: 'Service', metadata: { name: i + j === 0 ? 'db-service' : `svc-${i + j}` }, spec: { ports: [{ name: 'http', port: 80 }] },
      })));
    }
    await client.create(resources.services, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] } });
    await client.create(resources.endpointslices, 'default', {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4', metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
      endpoints: Array.from({ length: 10 }, (_, i) => ({ addresses: [`10.244.0.${i + 10}`], conditions: { ready: true } })), ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    });
    const informers = new InformerFactory(cluster.client({ username: 'system:serviceaccount:kube-system:coredns' }), { signal: ac.signal, log: discardLog });
    const dns = startClusterDNS({ client, informers, signal: ac.signal, log: discardLog, listen: { host: '127.0.0.1', port: 0 }, upstreams: [{ host: '127.0.0.1', port: upstream.port }], manageService: false });
    const addr = await dns.listening;
    console.log(`cluster DNS on ${addr.host}:${addr.port} over ${nServices + 1} Services (created in ${((performance.now() - t0) / 1000).toFixed(1)} s); load: ${concurrency} queries in flight, ${seconds} s each, from a worker thread`);
    const check = await dnsQuery(addr, 'db-service.default.svc.cluster.local', 'A');
    if (check.rcode !== 'NOERROR' || !check.answers?.length) throw new Error(`db-service does not resolve: ${check.rcode}`);

    const rows: Array<[string, LoadResult]> = [];
    const measure = async (label: string, spec: Omit<LoadSpec, 'seconds' | 'concurrency'>) => {
      const r = await runLoad({ ...spec, seconds, concurrency });
      rows.push([label, r]);
      console.log(`${label.padEnd(58)} ${fmt(r)}`);
    };
    await measure('cluster DNS: db-service.default.svc.cluster.local A', { ...addr, name: 'db-service.default.svc.cluster.local', type: 'A' });
    await measure('cluster DNS: headless web (10 endpoints) A', { ...addr, name: 'web.default.svc.cluster.local', type: 'A' });
    await measure('cluster DNS: NXDOMAIN (search path miss) A', { ...addr, name: 'db-service.default.default.svc.cluster.local', type: 'A' });
    await measure('cluster DNS: example.org A (forwarded, from cache)', { ...addr, name: 'example.org', type: 'A' });
    await measure('baseline: minimal dns-packet responder on 127.0.0.1', { host: '127.0.0.1', port: upstream.port, name: 'example.org', type: 'A' });
    const host = hostUpstreams()[0];
    const reachable = host ? await dnsQuery(host, 'kubernetes.io', 'A', { timeoutMs: 1500 }).then(() => true, () => false) : false;
    if (host && reachable) await measure(`baseline: host resolver ${host.host} (kubernetes.io A)`, { ...host, name: 'kubernetes.io', type: 'A' });
    else console.log(`baseline: host resolver ${host ? `${host.host} does not answer (no network here)` : 'none in /etc/resolv.conf'}: not measured; the minimal responder above is the baseline`);
    const base = rows.find(([l]) => l.startsWith('baseline: minimal'))![1];
    console.log(`cluster DNS Service lookups at ${Math.round((rows[0]![1].qps / base.qps) * 100)} % of the minimal responder's rate`);
    await dns.stop();
  } finally {
    ac.abort();
    await upstream.stop();
    await cluster.close();
  }
}

if (isMainThread) {
  main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
} else {
  load(workerData as LoadSpec).then((r) => parentPort!.postMessage(r));
}
