import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { isAlreadyExists, isConflict, isGone, isNotFound, StatusError } from '../api/errors.js';
import type { ApiHandler } from '../api/transport.js';
import { Client, resourcePath } from './client.js';
import { resources } from '../api/resources.js';
import { FakeApiHandler } from './testing.js';
import { httpTransport, inProcessTransport, type Transport } from './transport.js';

/** Serves an ApiHandler over plain HTTP on port 0, the way the real server adapts it (enough for the client). */
async function serve(handler: ApiHandler): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
    const out = await handler({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined, signal: ac.signal });
    res.writeHead(out.status, out.headers);
    if (out.stream) {
      for await (const c of out.stream) res.write(c);
      res.end();
    } else res.end(out.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

test('URLs: core resources under /api/v1, groups under /apis/<group>/<version>, namespaced under namespaces/<ns>', () => {
  assert.equal(resourcePath(resources.pods, 'default', 'web', 'binding'), '/api/v1/namespaces/default/pods/web/binding');
  assert.equal(resourcePath(resources.pods), '/api/v1/pods');
  assert.equal(resourcePath(resources.nodes, 'ignored', 'n1'), '/api/v1/nodes/n1');
  assert.equal(resourcePath(resources.deployments, 'prod', 'api', 'scale'), '/apis/apps/v1/namespaces/prod/deployments/api/scale');
  assert.equal(resourcePath(resources.leases, 'kube-system'), '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases');
});

/** A transport of the given kind to `handler` (over HTTP through a local server), closed when the test ends. */
async function transportTo(kind: 'in-process' | 'http', handler: ApiHandler, t: TestContext): Promise<Transport> {
  if (kind === 'in-process') return inProcessTransport(handler);
  const srv = await serve(handler);
  t.after(() => srv.close());
  const transport = httpTransport({ server: srv.url });
  t.after(() => transport.close());
  return transport;
}

for (const kind of ['in-process', 'http'] as const) {
  test(`${kind} transport: CRUD round-trips and errors arrive as StatusError with the server's reason`, async (t) => {
    const fake = new FakeApiHandler();
    const transport = await transportTo(kind, fake.handler, t);
    const client = new Client(transport, { userAgent: 'nanokube-test' });

    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', labels: { app: 'web' } }, data: { a: '1' } };
    const created = await client.create(resources.configmaps, 'default', cm);
    assert.equal(created.metadata?.namespace, 'default');
    assert.ok(created.metadata?.resourceVersion);
    assert.equal((cm.metadata as any).resourceVersion, undefined, 'the caller\'s object is not touched');

    await assert.rejects(client.create(resources.configmaps, 'default', cm), (e) => isAlreadyExists(e) && (e as StatusError).code === 409);
    await assert.rejects(client.get(resources.configmaps, 'default', 'missing'), (e) => isNotFound(e) && e instanceof StatusError);

    const got = await client.get(resources.configmaps, 'default', 'c1');
    assert.deepEqual(got.data, { a: '1' });
    got.data.a = '2';
    const updated = await client.update(resources.configmaps, got);
    assert.equal(updated.data.a, '2');
    // The same (now stale) resourceVersion again: optimistic concurrency says Conflict.
    await assert.rejects(client.update(resources.configmaps, got), isConflict);

    const patched = await client.patch(resources.configmaps, 'default', 'c1', 'merge', { data: { b: '3' } });
    assert.deepEqual(patched.data, { a: '2', b: '3' });

    // A transport that has the body as text says so; its bytes are the same text.
    const raw = await transport.request({ method: 'GET', path: '/api/v1/namespaces/default/configmaps/c1' });
    if (raw.text !== undefined) assert.equal(raw.body.toString('utf8'), raw.text);
    assert.equal(JSON.parse(raw.body.toString('utf8')).metadata.name, 'c1');

    // A writer that only needs to know it succeeded: nothing decoded, the write done, errors as ever.
    assert.equal(await client.patch(resources.configmaps, 'default', 'c1', 'merge', { data: { d: '5' } }, { discardResult: true }), undefined);
    assert.equal((await client.get(resources.configmaps, 'default', 'c1')).data.d, '5');
    assert.equal(await client.create(resources.configmaps, 'default', { ...cm, metadata: { name: 'c2' } }, { discardResult: true }), undefined);
    await assert.rejects(client.create(resources.configmaps, 'default', cm, { discardResult: true }), isAlreadyExists);
    await assert.rejects(client.patch(resources.configmaps, 'default', 'missing', 'merge', {}, { discardResult: true }), isNotFound);
    await client.delete(resources.configmaps, 'default', 'c2');

    const list = await client.list(resources.configmaps, { namespace: 'default', labelSelector: 'app=web' });
    assert.equal(list.items.length, 1);
    assert.equal(list.items[0].kind, 'ConfigMap', 'list items get their kind filled in');
    assert.equal(list.items[0].apiVersion, 'v1');
    assert.ok(list.metadata.resourceVersion);

    await client.delete(resources.configmaps, 'default', 'c1', { preconditions: { uid: created.metadata!.uid } });
    await assert.rejects(client.get(resources.configmaps, 'default', 'c1'), isNotFound);
    assert.equal(fake.requests.length > 0, true);
  });

  test(`${kind} transport: a watch streams events line by line and stop() ends it`, async (t) => {
    const fake = new FakeApiHandler();
    const transport = await transportTo(kind, fake.handler, t);
    const client = new Client(transport);
    const list = await client.list(resources.pods, { namespace: 'ns' });
    const seen: string[] = [];
    let wake: () => void = () => undefined;
    const stop = client.watch(resources.pods, { namespace: 'ns', resourceVersion: list.metadata.resourceVersion }, {
      onEvent: (type, obj) => { seen.push(`${type} ${obj.metadata?.name}`); wake(); },
    });
    while (fake.openWatches === 0) await new Promise((r) => setImmediate(r));
    const next = () => new Promise<void>((r) => { wake = r; });
    let n = next();
    await client.create(resources.pods, 'ns', { metadata: { name: 'p1' } });
    await n;
    n = next();
    await client.delete(resources.pods, 'ns', 'p1');
    await n;
    stop();
    assert.deepEqual(seen, ['ADDED p1', 'DELETED p1']);
    while (fake.openWatches > 0) await new Promise((r) => setImmediate(r));
  });
}

test('an ERROR event in a watch (410 Expired) reaches the caller as a Gone StatusError', async () => {
  const fake = new FakeApiHandler();
  const client = new Client(inProcessTransport(fake.handler));
  await client.create(resources.pods, 'ns', { metadata: { name: 'p1' } });
  fake.compact();
  const err = await new Promise<unknown>((resolve) => {
    client.watch(resources.pods, { resourceVersion: '1' }, { onEvent: () => undefined, onError: resolve });
  });
  assert.ok(isGone(err), String(err));
});

test('in-process transport: a handler that throws a non-Status error becomes a 500 without internals', async () => {
  const client = new Client(inProcessTransport(async () => { throw new Error('secret internal detail'); }));
  await assert.rejects(client.get(resources.pods, 'ns', 'x'), (e) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 500);
    assert.equal(e.reason, 'InternalError');
    assert.doesNotMatch(e.message, /secret internal detail/);
    return true;
  });
});

test('http transport: an unreachable server is a ServiceUnavailable StatusError', async () => {
  const srv = await serve(async () => ({ status: 200, headers: {}, body: '{}' }));
  const url = srv.url;
  await srv.close();
  const t = httpTransport({ server: url });
  await assert.rejects(new Client(t).get(resources.pods, 'ns', 'x'), (e) => e instanceof StatusError && e.code === 503);
  t.close();
});
