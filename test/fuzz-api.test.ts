// Hostile input (issue 10, item 7): more than 10,000 malformed or hostile requests over real HTTPS to an
// in-process cluster. None may crash it, get a 5xx, get an error that is not a Kubernetes Status with a sane code,
// or leak internals; afterwards the cluster is still healthy, holds no leaked sockets, and Object.prototype is
// untouched. The run is reproducible: it prints its seed, and NANOKUBE_FUZZ_SEED=<seed> replays it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';
import { Prng, fuzzSeed } from './fuzz/prng.js';
import type { FuzzCase, FuzzResult } from './fuzz/case.js';
import { FUZZ_DC_NS, FUZZ_NS, fixtures } from './fuzz/fixtures.js';
import { brokenJson, brokenProtobuf, brokenYaml, deepNesting, duplicateKeys, hugeBodies, wrongTypes } from './fuzz/bodies.js';
import { contentNegotiation, headerAbuse, names, patches, queryParams, rawHeaderAbuse, selectors, upgrades, verbsAndPaths } from './fuzz/requests.js';
import { Sender, parseRawResponse, runAll, type Target } from './fuzz/send.js';
import { check } from './fuzz/check.js';
import { regressions } from './fuzz/regressions.js';

const openFds = (): number | undefined => { try { return readdirSync('/proc/self/fd').length; } catch { return undefined; } };

function generate(r: Prng): FuzzCase[] {
  const cases = [
    ...brokenJson(r, 1100), ...wrongTypes(r, 2500), ...duplicateKeys(r, 200), ...brokenYaml(r, 600), ...brokenProtobuf(r, 500),
    ...deepNesting(r), ...selectors(r, 700), ...names(r, 900), ...queryParams(r, 900), ...contentNegotiation(r, 400),
    ...verbsAndPaths(r, 400), ...patches(r, 1400), ...headerAbuse(r, 300), ...rawHeaderAbuse(), ...upgrades(r, 150),
  ];
  // Interleaved, so that one kind of request never runs alone.
  for (let i = cases.length - 1; i > 0; i--) { const j = r.int(i + 1); [cases[i], cases[j]] = [cases[j], cases[i]]; }
  return cases;
}

async function setUp(c: TestCluster): Promise<void> {
  for (const ns of [FUZZ_NS, FUZZ_DC_NS]) {
    const r = await c.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    assert.equal(r.status, 201, r.text);
  }
  for (const f of fixtures()) {
    const r = await c.request('POST', f.path, { body: f.object });
    assert.equal(r.status, 201, `${f.kind}: ${r.text}`);
  }
  for (const name of ['victim', 'v1', 'v2']) {
    const r = await c.request('POST', `/api/v1/namespaces/${FUZZ_DC_NS}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'web' } } } });
    assert.equal(r.status, 201, r.text);
  }
}

/**
 * Slow and half-open clients: partial headers, a body that never finishes, a TLS handshake never made or never
 * followed by a byte, a request half-closed mid-headers. The server must go on answering others meanwhile and must
 * itself close every one of them (the test cluster's client timeouts are short); the ones that got far enough to
 * be HTTP get a 408 Status.
 */
async function slowClients(c: TestCluster, t: Target): Promise<{ cases: FuzzCase[]; results: FuzzResult[] }> {
  const cases: FuzzCase[] = [];
  const pending: Promise<FuzzResult>[] = [];
  const open = (c0: FuzzCase, behave: (s: tls.TLSSocket) => void) => {
    cases.push(c0);
    pending.push(new Promise((resolve) => {
      const chunks: Buffer[] = [];
      const s = tls.connect({ host: t.host, port: t.port, ca: t.ca, cert: t.cert, key: t.key, servername: 'localhost' });
      s.on('secureConnect', () => behave(s));
      s.on('data', (d: Buffer) => chunks.push(d));
      s.on('error', () => undefined);
      s.on('close', () => resolve(parseRawResponse(Buffer.concat(chunks), undefined, true)));
    }));
  };
  const head = 'POST /api/v1/namespaces/fuzz/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n';
  for (let i = 0; i < 8; i++) {
    // Headers one byte at a time, never finished.
    open({ category: 'slow-clients', method: 'RAW', path: 'partial headers, trickled', expect: [408], mayReset: true }, (s) => {
      let at = 0;
      const tick = setInterval(() => { if (s.destroyed || at >= head.length) { clearInterval(tick); return; } s.write(head[at++]); }, 50);
      s.on('close', () => clearInterval(tick));
    });
    // Whole headers, then 10 of the 100 body bytes.
    open({ category: 'slow-clients', method: 'RAW', path: 'partial body', expect: [408], mayReset: true }, (s) => s.write(`${head}\r\n{"apiVersi`));
    // A TLS session and not one byte.
    open({ category: 'slow-clients', method: 'RAW', path: 'silent after handshake', mayReset: true }, () => undefined);
    // Half-closed in the middle of the headers.
    open({ category: 'half-open', method: 'RAW', path: 'half-closed mid-headers', mayReset: true }, (s) => { s.write('GET /version HTTP/1.1\r\nHo'); s.end(); });
    // Half-closed after a whole request: the answer must still come.
    open({ category: 'half-open', method: 'RAW', path: 'half-closed after the request', expect: [200], mayReset: false }, (s) => { s.write('GET /version HTTP/1.1\r\nHost: x\r\n\r\n'); s.end(); });
  }
  // TCP connections that never start TLS.
  const { connect } = await import('node:net');
  for (let i = 0; i < 5; i++) {
    cases.push({ category: 'half-open', method: 'RAW', path: 'no TLS handshake', mayReset: true });
    pending.push(new Promise((resolve) => {
      const s = connect(t.port, t.host);
      s.on('error', () => undefined);
      s.on('close', () => resolve({ status: 0, headers: {}, text: '', error: 'closed by the server' }));
    }));
  }
  // Everyone else is still served while those hang.
  for (let i = 0; i < 5; i++) assert.equal((await c.request('GET', '/api/v1/namespaces/default')).status, 200);
  const results = await Promise.all(pending);
  return { cases, results };
}

test('hostile requests get a sane Status, never a 5xx, a crash or a leak, and the cluster stays healthy', { timeout: 180_000 }, async (t) => {
  const serverErrors: unknown[] = [];
  const phases: string[] = [];
  let phaseStart = performance.now();
  const phase = (name: string) => { const now = performance.now(); phases.push(`${name} ${((now - phaseStart) / 1000).toFixed(1)} s`); phaseStart = now; };
  const c = await startTestCluster(t, {
    components: false,
    clientTimeouts: { headersMs: 1500, requestMs: 2500, tlsHandshakeMs: 1500, checkIntervalMs: 250 },
    log: (e) => { if (e.level === 'error') serverErrors.push(e); },
  });
  await setUp(c);
  const url = new URL(c.url);
  const target: Target = { host: url.hostname, port: Number(url.port), ca: c.pki.ca, cert: c.pki.cert, key: c.pki.key };
  const seed = fuzzSeed();
  console.log(`fuzz seed ${seed} (replay: NANOKUBE_FUZZ_SEED=${seed})`);
  const r = new Prng(seed);
  const fdsBefore = openFds();
  phase('start');

  // NANOKUBE_FUZZ_ONLY=cat1,cat2 runs only those categories (to chase one finding).
  const only = process.env.NANOKUBE_FUZZ_ONLY?.split(',');
  const cases = [...regressions(), ...generate(r), ...hugeBodies()].filter((fc) => !only || only.includes(fc.category));
  phase('generate');
  const sender = new Sender(target, 8);
  // Prototype pollution shows in this very process (the server runs in it): the first request after which it
  // shows is reported. The slowest requests are reported too (a request that takes long hints at a hang).
  let pollutedBy: string | undefined;
  const slowest: [number, string][] = [];
  const results = await runAll(sender, cases, 8, (i, _res, ms) => {
    if (!pollutedBy && ({} as Record<string, unknown>).polluted !== undefined) pollutedBy = `${cases[i].method} ${cases[i].path} ${String(cases[i].body ?? '').slice(0, 300)}`;
    slowest.push([ms, `[${cases[i].category}] ${cases[i].method} ${cases[i].path.slice(0, 120)} ${String(cases[i].body ?? '').slice(0, 200)}`]);
  });
  slowest.sort((a, b) => b[0] - a[0]);
  for (const [ms, what] of slowest.slice(0, 8)) console.log(`  slow ${ms.toFixed(0)} ms ${what}`);
  if (pollutedBy) console.log(`  POLLUTED after (one of the 8 in flight around) ${pollutedBy}`);
  sender.close();
  phase('send');
  const slow = await slowClients(c, target);
  phase('slow clients');
  cases.push(...slow.cases);
  results.push(...slow.results);

  // Counts per category, and every failure.
  const counts = new Map<string, { sent: number; failed: number; byStatus: Map<number, number> }>();
  const failures: string[] = [];
  cases.forEach((fc, i) => {
    const res = results[i];
    const v = check(fc, res);
    const k = counts.get(fc.category) ?? { sent: 0, failed: 0, byStatus: new Map() };
    counts.set(fc.category, k);
    k.sent++;
    k.byStatus.set(res.status, (k.byStatus.get(res.status) ?? 0) + 1);
    if (!v.ok) { k.failed++; failures.push(`[${fc.category}] ${fc.method} ${fc.path.slice(0, 160)} ${fc.body ? `body=${JSON.stringify(fc.body.toString().slice(0, 160))}` : ''}${fc.headers ? ` headers=${JSON.stringify(fc.headers).slice(0, 200)}` : ''} -> ${v.why}`); }
  });
  const lines = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([cat, k]) =>
    `  ${cat.padEnd(16)} ${String(k.sent).padStart(6)} sent ${String(k.failed).padStart(5)} failed   ${[...k.byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s || 'closed'}:${n}`).join(' ')}`);
  const total = [...counts.values()].reduce((n, k) => n + k.sent, 0);
  console.log(`fuzz: ${total} requests, ${failures.length} failures (seed ${seed}; ${phases.join(', ')})\n${lines.join('\n')}`);
  for (const f of failures.slice(0, 40)) console.log(`  FAIL ${f}`);
  for (const e of serverErrors.slice(0, 10)) console.log(`  SERVER ERROR ${JSON.stringify(e).slice(0, 400)}`);

  // The cluster is healthy afterwards: ready, a normal create/get/watch works, nothing leaked.
  assert.equal((await c.request('GET', '/readyz')).status, 200);
  assert.equal((await c.request('GET', `/api/v1/namespaces/${FUZZ_NS}`)).body.status?.phase, 'Active', 'the fuzz namespace was deleted');
  const created = await c.request('POST', `/api/v1/namespaces/${FUZZ_NS}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-fuzz' }, data: { ok: 'yes' } } });
  assert.equal(created.status, 201, created.text);
  assert.deepEqual((await c.request('GET', `/api/v1/namespaces/${FUZZ_NS}/configmaps/after-fuzz`)).body.data, { ok: 'yes' });
  const watched = await new Promise<string>((resolve, reject) => {
    const req = https.request(new URL(`/api/v1/namespaces/${FUZZ_NS}/configmaps?watch=true&fieldSelector=metadata.name%3Dafter-fuzz&resourceVersion=${created.body.metadata.resourceVersion}&timeoutSeconds=10`, c.url),
      { ca: c.pki.ca, cert: c.pki.cert, key: c.pki.key, agent: false }, (res) => {
        let text = '';
        res.on('data', (d) => { text += d; if (text.includes('\n')) { res.destroy(); resolve(text); } });
        res.on('end', () => resolve(text));
      });
    req.on('error', reject);
    req.end();
    void c.request('PATCH', `/api/v1/namespaces/${FUZZ_NS}/configmaps/after-fuzz`, { raw: '{"data":{"ok":"still"}}', contentType: 'application/merge-patch+json' });
  });
  assert.equal(JSON.parse(watched.split('\n')[0]).type, 'MODIFIED');
  assert.equal(({} as Record<string, unknown>).polluted, undefined, `Object.prototype was polluted, after ${pollutedBy}`);
  if (fdsBefore !== undefined) {
    // Every connection the fuzz opened is closed again (a bound, waited for: sockets close asynchronously).
    await until('fuzz connections to close', async () => (openFds() ?? 0) <= fdsBefore + 10);
  }
  if (!only) assert.ok(total >= 10_000, `only ${total} requests`);
  assert.deepEqual(serverErrors, [], 'the server logged errors (a non-Status exception reached the boundary)');
  assert.deepEqual(failures, []);
});
