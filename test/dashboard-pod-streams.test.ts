// A pod's logs and a terminal in it, in the dashboard in a real browser: the log streams (and follows) through the
// dashboard's API path from pods/log, and the terminal (xterm.js) runs a command over the API server's exec
// WebSocket (v5.channel.k8s.io). The pod's kubelet server is real (HTTPS, the apiserver's client certificate); its
// runtime is the streaming double, whose exec runs host processes, so this runs without root or images.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTestCluster } from './helpers/cluster.js';
import { artifactsDir, chromiumPath, gotoPage, launchChromium } from './helpers/browser.js';
import { ensureClusterPki, ensureKubeletServingCertificate } from '../src/pki/index.js';
import { startKubeletServer, StreamingFakeRuntime, criLogLine } from '../src/kubelet/index.js';

const chromium = chromiumPath();

test('the dashboard follows a pod\'s log and runs commands in its terminal', { skip: chromium ? false : 'skipped: chromium not found' }, async (t) => {
  const c = await startTestCluster(t, { components: false, dashboard: true });
  const pki = await ensureClusterPki({ dir: join(c.home, 'pki') });
  const serving = await ensureKubeletServingCertificate({ dir: join(c.home, 'kubelet', 'pki'), ca: pki.ca, nodeName: 'node-a', altNames: ['127.0.0.1'] });
  const runtime = new StreamingFakeRuntime(join(c.home, 'logs', 'pods'));
  const kubelet = await startKubeletServer({ runtime, tls: { ...serving, clientCA: pki.caCert }, port: 0, host: '127.0.0.1', logPollMs: 50 });
  t.after(() => kubelet.close());
  assert.equal((await c.request('POST', '/api/v1/nodes', { body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } } })).status, 201);
  assert.equal((await c.request('PATCH', '/api/v1/nodes/node-a/status', { contentType: 'application/merge-patch+json',
    body: { status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } } } })).status, 200);
  const created = await c.request('POST', '/api/v1/namespaces/default/pods', {
    body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'flask-app' }, spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'flask-app:latest' }] } } });
  assert.equal(created.status, 201, created.text);
  assert.equal((await c.request('PATCH', '/api/v1/namespaces/default/pods/flask-app/status', { contentType: 'application/merge-patch+json', body: { status: { phase: 'Running' } } })).status, 200);
  const [app] = [runtime.addContainer(runtime.addSandbox({ namespace: 'default', name: 'flask-app', uid: created.body.metadata.uid }), { name: 'app' })];
  runtime.writeLog(app.id, criLogLine(' * Running on http://0.0.0.0:5000'), criLogLine('GET / HTTP/1.1 200'));

  const dashboard = c.plane.dashboard!;
  const browser = await launchChromium(chromium!);
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const shots = artifactsDir('pod-streams');
  const code = await dashboard.createLoginCode({ kind: 'certificate', cert: c.pki.cert, key: c.pki.key });
  await gotoPage(page, `${dashboard.url}/auth/code?code=${code}`);
  await gotoPage(page, `${dashboard.url}/pods/default/flask-app?tab=logs`);
  const log = page.getByTestId('pod-log');
  await log.getByText('GET / HTTP/1.1 200').waitFor();
  assert.match(await log.textContent() ?? '', /Running on http:\/\/0\.0\.0\.0:5000/);
  // Following: a line written now appears without reloading.
  runtime.writeLog(app.id, criLogLine('GET /health HTTP/1.1 200'));
  await log.getByText('GET /health HTTP/1.1 200').waitFor();
  await page.screenshot({ path: join(shots, 'logs.png') });

  await gotoPage(page, `${dashboard.url}/pods/default/flask-app?tab=terminal`);
  await page.locator('input[name=command]').fill('sh -c "echo exec-$((6*7)); uname -s"');
  await page.getByTestId('exec-connect').click();
  const terminal = page.getByTestId('exec-terminal');
  await terminal.getByText('exec-42').waitFor();
  await page.getByTestId('exec-status').getByText('the command ended').waitFor();
  // What is typed into the terminal reaches the command's stdin, and its answer comes back (head ends after the 16
  // bytes it was asked for, so no session outlives the test).
  await page.locator('input[name=command]').fill('head -c 16');
  await page.getByTestId('exec-connect').click();
  await page.getByTestId('exec-status').getByText('connected to app').waitFor();
  await terminal.click();
  await page.keyboard.type('typed-into-xterm');
  await terminal.getByText('typed-into-xterm').waitFor();
  await page.getByTestId('exec-status').getByText('the command ended').waitFor();
  await page.screenshot({ path: join(shots, 'terminal.png') });
  assert.deepEqual(errors, [], 'no script errors on the page');
});
