// The service proxy, on the real node (nftables as root):
//  1. requests/s and p99 latency through a NodePort (127.0.0.1:<nodePort>, DNAT by the proxy's rules) next to the
//     same load sent straight to the pod's IP, in the same run: the seed's app (examples/flask), one replica, wrk
//     (new connection per request: the app speaks HTTP/1.0), or a small Node client when wrk is missing;
//  2. the time to apply 1,000 selector-less Services with an EndpointSlice of 10 endpoints each (addresses in the
//     cluster CIDR) until the proxy has programmed the last one, and the table's size then;
//  3. the proxy's sync time for one change at that size (an endpoint's readiness flipped), and the time from the
//     API write to the kernel having it.
//   node dist/bench/service-proxy.bench.js [services=1000] [endpoints=10] [changes=20]
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import http from 'node:http';
import { startCluster } from '../src/cmd/cluster.js';
import { resources } from '../src/api/resources.js';
import { nftUnavailableReason, proxyTableName, type SyncRecord } from '../src/proxy/index.js';
import { runcUnavailableReason } from '../src/kubelet/index.js';

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN; };
const until = async <T>(what: string, f: () => Promise<T | undefined | false>, ms = 120_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

interface Load { rps: number; p99Ms: number; errors: number }

function wrk(url: string, seconds: number): Load {
  const r = spawnSync('wrk', ['-t2', '-c16', `-d${seconds}s`, '--latency', url], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const m = /\s99%\s+([\d.]+)(us|ms|s)\b/.exec(r.stdout);
  const p99Ms = m ? Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1) : NaN;
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(r.stdout);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? 0);
  return { rps, p99Ms, errors: (errs ? errs.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + non2xx };
}

async function nodeLoad(url: string, seconds: number): Promise<Load> {
  const lat: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await new Promise<void>((resolve, reject) => {
          http.get(url, { agent: false }, (res) => { res.resume(); res.on('end', () => resolve()); res.on('error', reject); }).on('error', reject);
        });
        lat.push(performance.now() - t0);
      } catch { errors++; }
    }
  }));
  return { rps: lat.length / seconds, p99Ms: pct(lat, 99), errors };
}

async function main() {
  const why = runcUnavailableReason() ?? nftUnavailableReason();
  if (why) { console.log(`service-proxy bench skipped: ${why}`); return; }
  const [services = 1000, endpointsPer = 10, changes = 20] = process.argv.slice(2).map(Number);
  const second = 160 + Math.floor(Math.random() * 64);
  const cidr = `10.${second}.0.0/16`;
  const cluster = await startCluster({ node: true, clusterCIDR: cidr });
  try {
    const client = cluster.httpsClient();
    const proxy = await cluster.plane!.proxy();
    if (!proxy) throw new Error('no service proxy');
    await proxy.ready;
    const table = proxyTableName(cluster.home);
    // 1. Throughput: the seed's app, one replica, behind a NodePort.
    const built = spawnSync(process.execPath, [join(process.cwd(), 'bin', 'nanokube.js'), 'image', 'build', '-t', 'bench/flask-app:latest', 'examples/flask'], { env: { ...process.env, NANOKUBE_HOME: cluster.home }, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`image build failed: ${built.stderr}`);
    await client.create(resources.deployments, 'default', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: {
      replicas: 1, selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: 'bench/flask-app:latest', env: [{ name: 'LOG_LEVEL', value: 'warning' }], ports: [{ containerPort: 5000 }] }] } },
    } } as any);
    const svc = await client.create(resources.services, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 5000 }] } } as any) as any;
    const nodePort = svc.spec.ports[0].nodePort;
    const podIP = await until('pod IP', async () => (await client.list(resources.pods, { namespace: 'default', labelSelector: 'app=web' })).items.map((p: any) => p.status?.podIP).find(Boolean));
    const via = `http://127.0.0.1:${nodePort}/`, direct = `http://${podIP}:5000/`;
    await until('NodePort answers', () => new Promise<boolean>((res) => { http.get(via, { agent: false }, (r) => { r.resume(); res(r.statusCode === 200); }).on('error', () => res(false)); }));
    const haveWrk = spawnSync('wrk', ['--version']).error === undefined;
    const load = (u: string) => (haveWrk ? Promise.resolve(wrk(u, 4)) : nodeLoad(u, 4));
    await load(direct); // warm-up
    // Alternating rounds, median of each: the machine's other load shifts over seconds and hits both alike.
    const ds: Load[] = [], ns: Load[] = [];
    for (let round = 0; round < 3; round++) { ds.push(await load(direct)); ns.push(await load(via)); }
    const median = (ls: Load[]): Load => ({ rps: pct(ls.map((l) => l.rps), 50), p99Ms: pct(ls.map((l) => l.p99Ms), 50), errors: ls.reduce((a, l) => a + l.errors, 0) });
    const d = median(ds), n = median(ns);
    console.log(`service-proxy: ${haveWrk ? 'wrk -t2 -c16 -d4s' : 'node client, 16 connections, 4 s'} x 3 alternating rounds (medians), the seed's app (1 replica)`);
    console.log(`  direct to pod IP   ${d.rps.toFixed(0).padStart(7)} req/s  p99 ${d.p99Ms.toFixed(2)} ms  errors ${d.errors}`);
    console.log(`  through NodePort   ${n.rps.toFixed(0).padStart(7)} req/s  p99 ${n.p99Ms.toFixed(2)} ms  errors ${n.errors}  (${((n.rps / d.rps) * 100).toFixed(0)} % of direct; target >= 80 %)`);

    // 2. 1,000 Services with 10 endpoints each.
    const records: SyncRecord[] = [];
    const waiting = new Set<{ pred: (r: SyncRecord) => boolean; resolve: (r: SyncRecord) => void }>();
    proxy.onSync((r) => { records.push(r); for (const w of waiting) if (w.pred(r)) { waiting.delete(w); w.resolve(r); } });
    /** The first sync (already done or to come) that satisfies pred, resolved as soon as it finishes. */
    const syncWhere = (pred: (r: SyncRecord) => boolean) => new Promise<SyncRecord>((resolve) => {
      const done = records.find(pred);
      if (done) resolve(done); else waiting.add({ pred, resolve });
    });
    const ip = (i: number, j: number) => `10.${second}.${100 + Math.floor((i * endpointsPer + j) / 250)}.${((i * endpointsPer + j) % 250) + 1}`;
    const t0 = performance.now();
    let lastRV = 0;
    const batch = 32;
    for (let i = 0; i < services; i += batch) {
      await Promise.all(Array.from({ length: Math.min(batch, services - i) }, async (_, k) => {
        const n = i + k;
        const name = `bulk-${n}`;
        await client.create(resources.services, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } } as any);
        const s = await client.create(resources.endpointslices, 'default', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
          metadata: { name: `${name}-1`, labels: { 'kubernetes.io/service-name': name } }, addressType: 'IPv4',
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
          endpoints: Array.from({ length: endpointsPer }, (_, j) => ({ addresses: [ip(n, j)], conditions: { ready: true } })) } as any);
        lastRV = Math.max(lastRV, Number(s.metadata?.resourceVersion));
      }));
    }
    const applied = performance.now() - t0;
    const programmed = await syncWhere((r) => r.at >= lastRV);
    const programmedMs = performance.now() - t0;
    const chains = (execFileSync('nft', ['list', 'table', 'ip', table], { maxBuffer: 256 << 20 }).toString().match(/^\s*chain /gm) ?? []).length;
    console.log(`  ${services} Services x ${endpointsPer} endpoints: written in ${(applied / 1000).toFixed(2)} s, programmed in ${(programmedMs / 1000).toFixed(2)} s (${records.length} syncs, the last ${programmed.ms.toFixed(0)} ms); ${chains} chains in table ${table}`);

    // 3. One change at that size: an endpoint's readiness flipped, one at a time.
    const syncMs: number[] = [];
    const e2eMs: number[] = [];
    for (let c = 0; c < changes; c++) {
      const name = `bulk-${Math.floor(Math.random() * services)}-1`;
      const slice = await client.get(resources.endpointslices, 'default', name) as any;
      slice.endpoints[0].conditions.ready = !slice.endpoints[0].conditions.ready;
      const w0 = performance.now();
      const updated = await client.update(resources.endpointslices, slice) as any;
      const rv = Number(updated.metadata.resourceVersion);
      const rec = await syncWhere((r) => r.at >= rv && r.changes > 0);
      e2eMs.push(performance.now() - w0);
      syncMs.push(rec.ms);
    }
    console.log(`  one change at ${services} Services: proxy sync median ${pct(syncMs, 50).toFixed(1)} ms, p90 ${pct(syncMs, 90).toFixed(1)} ms (target < 50 ms); API write → in the kernel median ${pct(e2eMs, 50).toFixed(1)} ms, p90 ${pct(e2eMs, 90).toFixed(1)} ms`);
  } finally {
    await cluster.close();
  }
}

await main();
process.exit(0);
