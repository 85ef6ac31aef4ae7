// Malformed or oversized requests get the Status upstream gives, never a reset connection or a silent accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { startTestCluster } from './helpers/cluster.js';

test('a chunked body over the 3 MiB limit gets a 413 Status, not a reset connection', async (t) => {
  const c = await startTestCluster(t, { components: false });
  const r = await new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = https.request(new URL('/api/v1/namespaces/default/configmaps', c.url), {
      method: 'POST', ca: c.pki.ca, cert: c.pki.cert, key: c.pki.key, agent: false,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(256 * 1024, 'x');
    req.write('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":"');
    for (let i = 0; i < 16; i++) req.write(chunk); // 4 MiB, no Content-Length
    req.end('"}}');
  });
  assert.equal(r.status, 413);
  assert.equal(r.body.kind, 'Status');
  assert.equal(r.body.reason, 'RequestEntityTooLarge');
  assert.equal((await c.request('GET', '/readyz')).status, 200);
});

test('duplicate JSON fields: 400 under fieldValidation=Strict, a Warning under Warn (the last value wins)', async (t) => {
  const c = await startTestCluster(t, { components: false });
  const raw = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"first","name":"dup"},"data":{"a":"1","a":"2"}}';
  const strict = await c.request('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', { raw });
  assert.equal(strict.status, 400);
  assert.equal(strict.body.reason, 'BadRequest');
  assert.equal(strict.body.message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "metadata.name", duplicate field "data.a"');
  const warn = await c.request('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Warn', { raw });
  assert.equal(warn.status, 201);
  assert.equal(warn.headers['warning'], '299 - "duplicate field \\"metadata.name\\"", 299 - "duplicate field \\"data.a\\""');
  assert.equal(warn.body.metadata.name, 'dup');
  assert.deepEqual(warn.body.data, { a: '2' });
  const ignore = await c.request('PUT', '/api/v1/namespaces/default/configmaps/dup?fieldValidation=Ignore', { raw: raw.replace('"first"', '"dup"') });
  assert.equal(ignore.status, 200);
  assert.equal(ignore.headers['warning'], undefined);
});

test('a watch or list with a timeoutSeconds that is not an integer is a 400', { timeout: 60_000 }, async (t) => {
  const c = await startTestCluster(t, { components: false });
  for (const path of ['/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=abc', '/api/v1/configmaps?timeoutSeconds=1.5']) {
    const r = await c.request('GET', path);
    assert.equal(r.status, 400, path);
    assert.equal(r.body.reason, 'BadRequest');
  }
  const r = await c.request('GET', '/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=abc');
  assert.equal(r.body.message, 'strconv.ParseInt: parsing "abc": invalid syntax');
  const ok = await c.request('GET', '/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1');
  assert.equal(ok.status, 200, 'a valid timeout ends the watch after it');
});
