// The dashboard's server without a browser: it serves the built UI, lets in only who the API server lets in (a
// token, the admin kubeconfig, a one-time code from `nanokube dashboard`), and shows each user what RBAC allows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { WebSocket } from 'ws';
import { nanokubeCli, startTestCluster, type TestCluster } from './helpers/cluster.js';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: any }

function call(base: string, method: string, path: string, o: { cookie?: string; body?: unknown; host?: string; origin?: string } = {}): Promise<Answer> {
  const data = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), {
      method, headers: {
        ...(o.cookie ? { cookie: o.cookie } : {}), ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}),
        ...(o.host ? { host: o.host } : {}), ...(o.origin ? { origin: o.origin } : {}),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try { body = JSON.parse(text); } catch { /* text */ }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

const cookieOf = (a: Answer) => String((a.headers['set-cookie'] as string[] | undefined)?.[0] ?? '').split(';')[0]!;

async function serviceAccountToken(c: TestCluster, name: string): Promise<string> {
  assert.equal((await c.request('POST', '/api/v1/namespaces/default/serviceaccounts', { body: { metadata: { name } } })).status, 201);
  const r = await c.request('POST', `/api/v1/namespaces/default/serviceaccounts/${name}/token`, { body: { spec: { expirationSeconds: 600 } } });
  assert.equal(r.status, 201, r.text);
  return r.body.status.token as string;
}

test('the dashboard serves its UI, and the API only to a logged-in user, as that user (RBAC applies)', async (t) => {
  const c = await startTestCluster(t, { components: false, dashboard: true });
  const base = c.plane.dashboard!.url;

  const page = await call(base, 'GET', '/pods/default/web');
  assert.equal(page.status, 200);
  assert.match(String(page.body), /<div id="app">/, 'any page path gets the app');
  assert.match(String(page.body), /\/assets\/index-[\w-]+\.js/, 'the built UI, not a CDN');

  assert.equal((await call(base, 'GET', '/k8s/api/v1/namespaces')).status, 401, 'no session: no API');
  assert.equal((await call(base, 'POST', '/auth/login', { body: { token: 'not-a-token' } })).status, 401, 'a token the API server refuses');

  // The admin kubeconfig (a client certificate): everything.
  const kubeconfig = (await import('node:fs')).readFileSync(c.kubeconfig, 'utf8');
  const admin = await call(base, 'POST', '/auth/login', { body: { kubeconfig } });
  assert.equal(admin.status, 200, JSON.stringify(admin.body));
  assert.equal(admin.body.user.username, 'kubernetes-admin');
  const adminCookie = cookieOf(admin);
  assert.match(String(admin.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
  const namespaces = await call(base, 'GET', '/k8s/api/v1/namespaces', { cookie: adminCookie });
  assert.equal(namespaces.status, 200);
  assert.ok(namespaces.body.items.some((n: any) => n.metadata.name === 'default'));
  assert.equal((await call(base, 'GET', '/auth/session', { cookie: adminCookie })).body.user.username, 'kubernetes-admin');

  // A ServiceAccount with no role: logged in, but the API says 403 to what RBAC does not grant.
  const token = await serviceAccountToken(c, 'nobody');
  const sa = await call(base, 'POST', '/auth/login', { body: { token } });
  assert.equal(sa.status, 200);
  assert.equal(sa.body.user.username, 'system:serviceaccount:default:nobody');
  const denied = await call(base, 'GET', '/k8s/api/v1/namespaces/default/secrets', { cookie: cookieOf(sa) });
  assert.equal(denied.status, 403);
  assert.equal(denied.body.reason, 'Forbidden');

  // Another site cannot use a session: not by a rebound DNS name, not by a cross-origin write.
  assert.equal((await call(base, 'GET', '/k8s/api/v1/namespaces', { cookie: adminCookie, host: 'evil.example:80' })).status, 421);
  assert.equal((await call(base, 'DELETE', '/k8s/api/v1/namespaces/default', { cookie: adminCookie, origin: 'http://evil.example' })).status, 403);

  await call(base, 'POST', '/auth/logout', { cookie: adminCookie });
  assert.equal((await call(base, 'GET', '/k8s/api/v1/namespaces', { cookie: adminCookie })).status, 401, 'logged out');
});

test('watches run over the dashboard\'s one WebSocket, as the session\'s user', async (t) => {
  const c = await startTestCluster(t, { components: false, dashboard: true });
  const base = c.plane.dashboard!.url;
  const login = await call(base, 'POST', '/auth/login', { body: { kubeconfig: (await import('node:fs')).readFileSync(c.kubeconfig, 'utf8') } });
  const ws = new WebSocket(base.replace('http', 'ws') + '/watch', { headers: { cookie: cookieOf(login) } });
  t.after(() => ws.terminate());
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  const list = await c.request('GET', '/api/v1/namespaces/default/configmaps');
  let text = '';
  const seen = new Promise<void>((resolve) => ws.on('message', (raw) => {
    const m = JSON.parse(String(raw));
    if (m.id === 1 && m.data) { text += m.data; if (text.includes('"name":"watched"')) resolve(); }
  }));
  ws.send(JSON.stringify({ op: 'watch', id: 1, path: `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${list.body.metadata.resourceVersion}` }));
  assert.equal((await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'watched' } } })).status, 201);
  await seen;
  assert.match(text, /"type":"ADDED"/);

  // Other upgrades (exec, attach) go to the API server as the user: here the API server's own 404 for a missing pod.
  const exec = new WebSocket(base.replace('http', 'ws') + '/k8s/api/v1/namespaces/default/pods/missing/exec?command=ls&stdout=true', ['v5.channel.k8s.io'], { headers: { cookie: cookieOf(login) } });
  const execStatus = await new Promise<string>((resolve) => { exec.once('unexpected-response', (_req, res) => resolve(String(res.statusCode))); exec.once('open', () => resolve('open')); exec.once('error', (e) => resolve(e.message)); });
  exec.terminate();
  assert.equal(execStatus, '404');

  // Without a session the WebSocket is refused.
  const anonymous = new WebSocket(base.replace('http', 'ws') + '/watch');
  const refused = await new Promise<string>((resolve) => { anonymous.once('unexpected-response', (_req, res) => resolve(String(res.statusCode))); anonymous.once('open', () => resolve('open')); anonymous.once('error', () => resolve('error')); });
  anonymous.terminate();
  assert.equal(refused, '401');
});

test('`nanokube dashboard --url` prints a one-time login link that opens a session with a short-lived token', async (t) => {
  const c = await startTestCluster(t, { components: false, dashboard: true });
  const r = await nanokubeCli(c, ['dashboard', '--url']);
  assert.equal(r.code, 0, r.stderr);
  const url = r.stdout.trim();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/auth\/code\?code=[\w-]+$/, 'only the URL, and no token in it');
  const first = await call(url, 'GET', url.slice(url.indexOf('/auth')));
  assert.equal(first.status, 303);
  assert.equal(first.headers.location, '/');
  const me = await call(c.plane.dashboard!.url, 'GET', '/auth/session', { cookie: cookieOf(first) });
  assert.equal(me.body.user.username, 'system:serviceaccount:kube-system:nanokube-dashboard');
  assert.ok(Date.parse(me.body.expiresAt) - Date.now() <= 3600_000, 'the session ends with the token');
  assert.equal((await call(c.plane.dashboard!.url, 'GET', '/k8s/api/v1/nodes', { cookie: cookieOf(first) })).status, 200, 'the dashboard identity may see the cluster');
  const again = await call(url, 'GET', url.slice(url.indexOf('/auth')));
  assert.equal(again.headers.location, '/login?expired=1', 'a code works once');
});
