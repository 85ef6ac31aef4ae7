// The built-in ingress controller on the real node, black-box with the real kubectl: an Ingress with two hosts and
// paths routes to two Services' pods on the ingress's HTTP port, TLS for one host comes from a Secret (SNI,
// verified with the test's own CA) while other names get the default certificate from the cluster CA, the Ingress
// gets the default class and the node's address (ADDRESS), an unknown host gets 404, a Service without ready
// endpoints 503, WebSocket-style upgrades pass through, the seed's Deployment rolls with no failed request through
// the ingress, events report the Ingress taken on and a missing TLS Secret, and after stop nothing listens. Needs
// root and runc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import tls from 'node:tls';
import { join } from 'node:path';
import { startTestCluster, examplePath, type TestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';
import { runcUnavailableReason } from '../src/kubelet/index.js';
import { createCertificateAuthority, issueCertificate } from '../src/pki/certificates.js';
import { hammerWhile, httpGet, listening } from './helpers/net.js';

const why = runcUnavailableReason();
const skip = why ? `skipped: ${why}` : false;
const ownCIDR = () => `10.${160 + Math.floor(Math.random() * 64)}.0.0/16`;
const image = 'your-dockerhub-username/flask-app:latest';

const get = async (c: TestCluster, what: string[]) => {
  const r = await c.kubectl(['get', ...what, '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
};
const apply = async (c: TestCluster, obj: unknown) => {
  const r = await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
  assert.equal(r.code, 0, r.stderr);
};
const nanokube = (c: TestCluster, args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
  execFile(process.execPath, [join(process.cwd(), 'bin', 'nanokube.js'), ...args], { env: { ...process.env, NANOKUBE_HOME: c.home, KUBECONFIG: c.kubeconfig }, timeout: 300_000, maxBuffer: 16 << 20 },
    (err, stdout, stderr) => resolve({ code: err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0, stdout, stderr }));
});

/** A pod answering every GET with JSON: its name, the path and the forwarding headers it received. */
const echoPod = (name: string, app: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app } }, spec: { terminationGracePeriodSeconds: 1, containers: [{
  name: 'echo', image, ports: [{ name: 'web', containerPort: 8080 }],
  readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
  command: ['python3', '-c', [
    'import http.server, json, socket',
    'class H(http.server.BaseHTTPRequestHandler):',
    '  protocol_version = "HTTP/1.1"',
    '  def do_GET(self):',
    '    if self.headers.get("Upgrade"):',
    '      self.send_response(101); self.send_header("Upgrade", self.headers["Upgrade"]); self.send_header("Connection", "Upgrade"); self.end_headers(); self.wfile.flush()',
    '      d = self.rfile.read(4); self.wfile.write(b"pong:" + d); self.wfile.flush(); self.close_connection = True; return',
    `    b = json.dumps({"pod": "${name}", "path": self.path, "host": self.headers.get("Host"), "xff": self.headers.get("X-Forwarded-For"), "xfproto": self.headers.get("X-Forwarded-Proto"), "xfhost": self.headers.get("X-Forwarded-Host")}).encode()`,
    '    self.send_response(200); self.send_header("Content-Type", "application/json"); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)',
    'http.server.ThreadingHTTPServer(("0.0.0.0", 8080), H).serve_forever()',
  ].join('\n')],
}] } });

/** A GET to the ingress listener on 127.0.0.1:port for `host`. */
const request = (port: number, host: string, path: string, opts: { https?: boolean; ca?: string } = {}) =>
  httpGet(`${opts.https ? 'https' : 'http'}://127.0.0.1:${port}${path}`, { host, ca: opts.ca, timeoutMs: 10_000 });

/** The certificate the HTTPS port presents for an SNI name, checked against `ca` (rejects when it does not verify). */
function peerCertificate(port: number, servername: string, ca: string): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername, ca, checkServerIdentity: (h, cert) => tls.checkServerIdentity(h, cert) }, () => {
      const cert = s.getPeerCertificate();
      s.end();
      resolve(cert);
    });
    s.on('error', reject);
  });
}


test('ingress: two hosts and paths reach two Services, TLS from a Secret by SNI, default class and ADDRESS, 404 and 503, upgrades pass, a rollout fails no request, nothing listens after stop', { skip, timeout: 600_000 }, async (t) => {
  const c = await startTestCluster(t, { node: true, clusterCIDR: ownCIDR() });
  const tmp = mkdtempSync(join(tmpdir(), 'nanokube-ingress-test-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  await until('node Ready', async () => (await get(c, ['node', 'nanokube'])).status.conditions.some((x: any) => x.type === 'Ready' && x.status === 'True'), 60_000);
  const ports = await (await c.plane.ingress())!.listening;
  assert.ok(ports.http && ports.https, `the ingress listens on free ports in tests: ${JSON.stringify(ports)}`);
  const cls = await until('IngressClass nanokube', async () => (await c.kubectl(['get', 'ingressclass', 'nanokube', '--no-headers'])).stdout, 30_000);
  assert.match(cls, /^nanokube\s+nanokube\.io\/ingress-controller\s+<none>\s+\S+\n$/);
  const built = await nanokube(c, ['image', 'build', '-t', image, examplePath('flask')]);
  assert.equal(built.code, 0, built.stdout + built.stderr);

  await apply(c, echoPod('web-a', 'a'));
  await apply(c, echoPod('web-b', 'b'));
  await apply(c, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc-a' }, spec: { selector: { app: 'a' }, ports: [{ port: 80, targetPort: 'web' }] } });
  await apply(c, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc-b' }, spec: { selector: { app: 'b' }, ports: [{ name: 'http', port: 8000, targetPort: 8080 }] } });
  await apply(c, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc-none' }, spec: { selector: { app: 'nothing' }, ports: [{ port: 80 }] } });

  // TLS for b.example.test from a Secret with a certificate of the test's own CA.
  const ca = await createCertificateAuthority({ commonName: 'ingress test CA', validityDays: 1 });
  const leaf = await issueCertificate(ca, { commonName: 'b.example.test', altNames: ['b.example.test'], usage: 'server', validityDays: 1 });
  writeFileSync(join(tmp, 'tls.crt'), leaf.cert);
  writeFileSync(join(tmp, 'tls.key'), leaf.key);
  const secret = await c.kubectl(['create', 'secret', 'tls', 'b-tls', `--cert=${join(tmp, 'tls.crt')}`, `--key=${join(tmp, 'tls.key')}`]);
  assert.equal(secret.code, 0, secret.stderr);

  const created = await c.kubectl(['create', 'ingress', 'web',
    '--rule=a.example.test/*=svc-a:80', '--rule=a.example.test/b-api*=svc-b:http', '--rule=b.example.test/*=svc-b:8000,tls=b-tls',
    '--rule=*.wild.test/down=svc-none:80']);
  assert.equal(created.code, 0, created.stderr);
  assert.equal((await get(c, ['ingress', 'web'])).spec.ingressClassName, 'nanokube', 'the Ingress gets the default class');

  await until('pods Ready', async () => {
    const items = (await get(c, ['pods'])).items;
    return items.length === 2 && items.every((p: any) => p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'));
  }, 120_000);
  const http0 = ports.http!;
  const json = async (host: string, path: string) => {
    const r = await request(http0, host, path);
    assert.equal(r.status, 200, `${host}${path}: ${r.body}`);
    return JSON.parse(r.body);
  };
  await until('a.example.test answers', async () => (await request(http0, 'a.example.test', '/').catch(() => undefined))?.status === 200, 60_000);
  const a = await json('a.example.test', '/hello?x=1');
  assert.equal(a.pod, 'web-a');
  assert.equal(a.path, '/hello?x=1');
  assert.equal(a.host, 'a.example.test');
  assert.equal(a.xfproto, 'http');
  assert.equal(a.xfhost, 'a.example.test');
  assert.equal(a.xff, '127.0.0.1');
  assert.equal((await json('a.example.test', '/b-api/users')).pod, 'web-b', 'the longer prefix wins');
  assert.equal((await json('a.example.test', '/b-apiary')).pod, 'web-a', 'prefixes match whole path elements');
  assert.equal((await json('B.Example.Test:80', '/')).pod, 'web-b');

  const unknown = await request(http0, 'nobody.example.test', '/');
  assert.equal(unknown.status, 404);
  assert.match(unknown.body, /no Ingress rule for host "nobody\.example\.test"/);
  const down = await request(http0, 'x.wild.test', '/down');
  assert.equal(down.status, 503, 'a Service without ready endpoints answers 503');
  assert.match(down.body, /service "default\/svc-none" has no ready endpoints/);

  // HTTPS: the Secret's certificate for its host (verified with the test's CA), the default one from the cluster
  // CA for other names; routing by Host as over HTTP.
  const https0 = ports.https!;
  const bCert = await until('the Secret certificate is served', async () => peerCertificate(https0, 'b.example.test', ca.cert).catch(() => undefined), 30_000);
  assert.equal(bCert.subject.CN, 'b.example.test');
  const fallback = await new Promise<tls.PeerCertificate>((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: https0, servername: 'a.example.test', ca: c.pki.ca, checkServerIdentity: () => undefined }, () => { const cert = s.getPeerCertificate(); s.end(); resolve(cert); });
    s.on('error', reject);
  });
  assert.equal(fallback.issuer.CN, 'nanokube-ca', 'other names get the default certificate, issued by the cluster CA');
  const overTLS = await request(https0, 'b.example.test', '/tls', { https: true, ca: ca.cert });
  assert.equal(overTLS.status, 200, overTLS.body);
  assert.equal(JSON.parse(overTLS.body).xfproto, 'https');
  assert.equal(JSON.parse(overTLS.body).pod, 'web-b');

  // An Upgrade handshake and the bytes after it pass through both ways.
  const upgraded = await new Promise<string>((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port: http0 }, () => s.write('GET /ws HTTP/1.1\r\nHost: a.example.test\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n'));
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
      if (got.includes('\r\n\r\n') && !got.includes('pong')) s.write('ping');
      if (got.includes('pong:ping')) { s.destroy(); resolve(got); }
    });
    s.on('error', reject);
    setTimeout(() => { s.destroy(); reject(new Error(`no upgrade answer: ${JSON.stringify(got)}`)); }, 10_000).unref();
  });
  assert.match(upgraded, /^HTTP\/1\.[01] 101 /);

  // Status: the node's InternalIP, shown by kubectl get ing.
  const node = await get(c, ['node', 'nanokube']);
  const internalIP: string = node.status.addresses.find((x: any) => x.type === 'InternalIP').address;
  await until('ingress address', async () => (await get(c, ['ingress', 'web'])).status?.loadBalancer?.ingress?.[0]?.ip === internalIP, 30_000);
  const table = await c.kubectl(['get', 'ing']);
  assert.match(table.stdout, /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\n/);
  assert.match(table.stdout, new RegExp(`\\nweb\\s+nanokube\\s+a\\.example\\.test,b\\.example\\.test,\\*\\.wild\\.test\\s+${internalIP.replace(/\./g, '\\.')}\\s+80, 443\\s+`));

  // The seed's Deployment behind the Ingress: a client hammering it through a rolling update sees no failure,
  // because only ready endpoints get traffic and a terminating pod leaves the rotation at once.
  for (const f of ['db-secret.yaml', 'app-config.yaml', 'flask-deployment.yaml']) {
    const r = await c.kubectl(['apply', '-f', examplePath(f)]);
    assert.equal(r.code, 0, r.stderr);
  }
  await apply(c, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'flask-service' }, spec: { selector: { app: 'flask-app' }, ports: [{ port: 5000, targetPort: 5000 }] } });
  const flaskIng = await c.kubectl(['create', 'ingress', 'flask', '--rule=flask.example.test/*=flask-service:5000']);
  assert.equal(flaskIng.code, 0, flaskIng.stderr);
  const rollout = await c.kubectl(['rollout', 'status', 'deployment/flask-app', '--timeout=120s']);
  assert.equal(rollout.code, 0, rollout.stderr + rollout.stdout);
  const flaskPods = (await get(c, ['pods', '-l', 'app=flask-app'])).items.map((p: any) => p.metadata.name).sort();
  await until('the app answers through the ingress', async () => (await request(http0, 'flask.example.test', '/').catch(() => undefined))?.status === 200, 60_000);
  const seen = new Set<string>();
  for (let i = 0; i < 40 && seen.size < 2; i++) seen.add(JSON.parse((await request(http0, 'flask.example.test', '/')).body).hostname);
  assert.deepEqual([...seen].sort(), flaskPods, 'both replicas answer through the ingress');
  const { answered: ok, failures } = await hammerWhile(() => request(http0, 'flask.example.test', '/'), async () => {
    const patched = await c.kubectl(['patch', 'deployment', 'flask-app', '-p', JSON.stringify({ spec: { template: { metadata: { annotations: { rolled: 'yes' } } } } })]);
    assert.equal(patched.code, 0, patched.stderr);
    const rolled = await c.kubectl(['rollout', 'status', 'deployment/flask-app', '--timeout=180s']);
    assert.equal(rolled.code, 0, rolled.stderr + rolled.stdout);
    await until('old pods gone', async () => (await get(c, ['pods', '-l', 'app=flask-app'])).items.every((p: any) => !flaskPods.includes(p.metadata.name)), 120_000);
  }, { describe: (r) => `HTTP ${r.status}: ${r.body.trim()}` });
  t.diagnostic(`${ok} requests answered through the ingress during the rollout`);
  assert.ok(ok > 20, `requests answered during the rollout: ${ok}`);
  assert.deepEqual(failures, [], `no request through the ingress failed during the rolling update (${ok} answered)`);

  // Events on the Ingress: taken on (Sync), and a tls entry whose Secret is missing (served with the default
  // certificate), without anything of a Secret in the message.
  await apply(c, { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'broken' }, spec: {
    tls: [{ hosts: ['c.example.test'], secretName: 'no-such-secret' }],
    rules: [{ host: 'c.example.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'svc-a', port: { number: 80 } } } }] } }] } });
  const events = await until('ingress events', async () => {
    const items = (await get(c, ['events'])).items.filter((e: any) => e.involvedObject?.kind === 'Ingress');
    const reasons = new Set(items.map((e: any) => `${e.involvedObject.name}/${e.type}/${e.reason}`));
    return reasons.has('web/Normal/Sync') && reasons.has('broken/Warning/TLSSecretUnusable') ? items : undefined;
  }, 30_000);
  assert.match(events.find((e: any) => e.reason === 'TLSSecretUnusable').message, /TLS secret "default\/no-such-secret" not found; the default certificate is served/);
  const cCert = await peerCertificate(https0, 'c.example.test', c.pki.ca).catch(() => undefined);
  assert.equal(cCert, undefined, 'the default certificate does not claim c.example.test');

  await c.stop();
  assert.equal(await listening(http0), false, 'nothing answers on the ingress HTTP port after stop');
  assert.equal(await listening(https0), false, 'nothing answers on the ingress HTTPS port after stop');
});
