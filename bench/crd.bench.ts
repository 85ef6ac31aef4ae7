// CustomResourceDefinitions: the time from creating a CRD to its first custom resource being accepted (target
// under 1 s), beside the time to create a built-in object (a ConfigMap) in the same run; and the API server's RSS
// with 100 CRDs installed against its RSS with none, same process, same run. The server runs in a child process of
// its own (components off) so its RSS is its own; it is garbage-collected before each RSS reading.
//   node --expose-gc dist/bench/crd.bench.js [crds=100] [samples=10]
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startCluster } from '../src/cmd/cluster.js';
import { httpTransport, type Transport } from '../src/client/transport.js';

type FromServer = { ready: { url: string; ca: string; cert: string; key: string } } | { rss: number; heap: number };

/** Child side: one control plane; answers {rss} (after a full GC) to every 'rss' message. */
async function serve(): Promise<void> {
  const c = await startCluster({ components: false });
  process.on('message', (m) => {
    if (m === 'rss') { (globalThis as any).gc?.(); const m = process.memoryUsage(); process.send!({ rss: m.rss, heap: m.heapUsed }); }
    if (m === 'stop') void c.close().then(() => process.exit(0));
  });
  process.send!({ ready: { url: c.plane!.url, ...c.admin! } });
}

function crd(i: number) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `widgets${i}.bench${i}.example.com` },
    spec: {
      group: `bench${i}.example.com`, scope: 'Namespaced', names: { plural: `widgets${i}`, kind: `Widget${i}`, shortNames: [`wd${i}`] },
      versions: [{
        name: 'v1', served: true, storage: true, subresources: { status: {} },
        additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
        schema: { openAPIV3Schema: { type: 'object', properties: {
          spec: { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.size <= 100', message: 'too big' }],
            properties: { size: { type: 'integer', default: 1 }, color: { type: 'string', enum: ['red', 'blue'] }, labels: { type: 'object', additionalProperties: { type: 'string' } } } },
          status: { type: 'object', properties: { ready: { type: 'boolean' } } },
        } } },
      }],
    },
  };
}

async function main(): Promise<void> {
  const crds = Number(process.argv[2] ?? 100);
  const samples = Number(process.argv[3] ?? 10);
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['serve'], { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const next = () => new Promise<FromServer>((resolve) => child.once('message', (m) => resolve(m as FromServer)));
  const ready = await next();
  if (!('ready' in ready)) throw new Error('server did not start');
  const t: Transport = httpTransport({ server: ready.ready.url, ca: ready.ready.ca, cert: ready.ready.cert, key: ready.ready.key });
  const json = (method: string, path: string, body?: unknown) => t.request({ method, path, headers: { 'content-type': 'application/json' }, body: body ? Buffer.from(JSON.stringify(body)) : undefined });
  const memory = async () => { child.send('rss'); const m = await next(); return 'rss' in m ? { rss: m.rss / 2 ** 20, heap: m.heap / 2 ** 20 } : { rss: NaN, heap: NaN }; };
  try {
    // What kubectl reads on every call, so the caches a client would fill are filled in both readings.
    const readAll = async () => { await json('GET', '/apis'); await json('GET', '/openapi/v3'); await json('GET', '/openapi/v2'); };
    await readAll();
    const none = await memory();

    const firstCr: number[] = [];
    const builtin: number[] = [];
    for (let i = 0; i < samples; i++) {
      let s = performance.now();
      await json('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `baseline-${i}` } });
      builtin.push(performance.now() - s);
      s = performance.now();
      await json('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd(i));
      for (;;) {
        try {
          await json('POST', `/apis/bench${i}.example.com/v1/namespaces/default/widgets${i}`, { apiVersion: `bench${i}.example.com/v1`, kind: `Widget${i}`, metadata: { name: 'first' }, spec: { size: 2 } });
          break;
        } catch { await new Promise((r) => setTimeout(r, 2)); }
      }
      firstCr.push(performance.now() - s);
    }
    for (let i = samples; i < crds; i++) await json('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd(i));
    // Every CRD Established and served before the second reading.
    for (;;) {
      const list = JSON.parse((await json('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions')).body.toString());
      if (list.items.every((c: any) => c.status?.conditions?.some((x: any) => x.type === 'Established' && x.status === 'True'))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await readAll();
    const withCrds = await memory();
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const cr = median(firstCr), base = median(builtin);
    console.log(`crd: CRD created → first custom resource accepted: median ${cr.toFixed(1)} ms, max ${Math.max(...firstCr).toFixed(1)} ms over ${samples} CRDs (target < 1000 ms); a ConfigMap create: ${base.toFixed(1)} ms (ratio ${(cr / base).toFixed(1)}x)`);
    const mib = (x: number) => x.toFixed(1);
    console.log(`crd: server RSS with ${crds} CRDs: ${mib(withCrds.rss)} MiB vs ${mib(none.rss)} MiB with none (+${mib(withCrds.rss - none.rss)} MiB, ${(withCrds.rss / none.rss).toFixed(2)}x; ${((withCrds.rss - none.rss) * 1024 / crds).toFixed(0)} KiB per CRD)`);
    console.log(`crd: live JS heap after GC: ${mib(withCrds.heap)} MiB vs ${mib(none.heap)} MiB (+${mib(withCrds.heap - none.heap)} MiB, ${((withCrds.heap - none.heap) * 1024 / crds).toFixed(0)} KiB per CRD; the rest of the RSS growth is heap the process keeps after the creation burst)`);
    console.log('crd: (shared, noisy machine: figures vary between runs)');
  } finally {
    t.close?.();
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
  }
}

if (process.argv[2] === 'serve') void serve();
else await main();
