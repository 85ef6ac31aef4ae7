import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../../api/errors.js';
import { secrets } from './strategy.js';
import { configmaps } from '../configmaps/strategy.js';
import { fakeContext } from '../../testing.js';
import type { KubeObject } from '../../../../api/object.js';

const st = secrets.strategy;
const ctx = fakeContext();

test('the seed Secret is accepted as is and prints TYPE Opaque, DATA 2', async () => {
  const s: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-secret', namespace: 'default', creationTimestamp: '2025-12-31T23:59:00Z' },
    type: 'Opaque', data: { username: 'cG9zdGdyZXM=', password: 'cGFzc3dvcmQ=' } };
  st.defaults!(s);
  assert.deepEqual(await st.validate!(s, ctx), []);
  assert.deepEqual(st.table!.row(s, new Date('2026-01-01T00:00:00Z')), ['db-secret', 'Opaque', 2, '60s']);
  assert.deepEqual(st.table!.columns.map((c) => c.name), ['Name', 'Type', 'Data', 'Age']);
});

test('stringData is merged into data as base64 (overriding) and removed; type defaults to Opaque', () => {
  const s: KubeObject = { kind: 'Secret', metadata: { name: 's', namespace: 'd' }, data: { a: 'eA==' }, stringData: { a: 'password', b: 'postgres' } };
  st.defaults!(s);
  assert.deepEqual(s.data, { a: 'cGFzc3dvcmQ=', b: 'cG9zdGdyZXM=' });
  assert.equal('stringData' in s, false);
  assert.equal(s.type, 'Opaque');
});

test('a data value that is not base64 fails with the 400 Go\'s decoder gives', () => {
  const s: KubeObject = { kind: 'Secret', metadata: { name: 's', namespace: 'd' }, data: { password: 'password!' } };
  assert.throws(() => st.defaults!(s), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    assert.equal(e.status.message, 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 8');
    return true;
  });
});

test('keys must be valid config keys; TLS secrets need tls.crt and tls.key; type is immutable', async () => {
  const s: KubeObject = { kind: 'Secret', metadata: { name: 's', namespace: 'd' }, type: 'kubernetes.io/tls', data: { 'bad key': 'eA==' } };
  st.defaults!(s);
  assert.deepEqual((await st.validate!(s, ctx)).map(String), [
    `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    'data[tls.crt]: Required value',
    'data[tls.key]: Required value',
  ]);
  const old: KubeObject = { kind: 'Secret', metadata: { name: 's', namespace: 'd' }, type: 'Opaque' };
  const upd: KubeObject = { kind: 'Secret', metadata: { name: 's', namespace: 'd' }, type: 'foo/bar' };
  assert.deepEqual((await st.validateUpdate!(upd, old, ctx)).map(String), ['type: Invalid value: "foo/bar": field is immutable']);
});

test('configmaps: seed ConfigMap prints DATA 2; immutable ConfigMaps reject data changes', async () => {
  const cs = configmaps.strategy;
  const cm: KubeObject = { kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'default' }, data: { APP_ENV: 'production', LOG_LEVEL: 'info' } };
  assert.deepEqual(await cs.validate!(cm, ctx), []);
  assert.equal(cs.table!.row(cm, new Date())[1], 2);
  const old = { ...structuredClone(cm), immutable: true };
  const upd = { ...structuredClone(old), data: { APP_ENV: 'dev' } };
  assert.deepEqual((await cs.validateUpdate!(upd, old, ctx)).map(String), ['data: Forbidden: field is immutable when `immutable` is set']);
});
