import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familiarName, normalizeReference } from './reference.js';

test('image references normalize as docker normalizes them', () => {
  assert.equal(normalizeReference('busybox'), 'docker.io/library/busybox:latest');
  assert.equal(normalizeReference('busybox:1.36'), 'docker.io/library/busybox:1.36');
  assert.equal(normalizeReference('your-dockerhub-username/flask-app:latest'), 'docker.io/your-dockerhub-username/flask-app:latest');
  assert.equal(normalizeReference('flask-app:v2'), 'docker.io/library/flask-app:v2');
  assert.equal(normalizeReference('docker.io/library/busybox:latest'), 'docker.io/library/busybox:latest');
  assert.equal(normalizeReference('index.docker.io/library/busybox'), 'docker.io/library/busybox:latest');
  assert.equal(normalizeReference('localhost:5000/app'), 'localhost:5000/app:latest');
  assert.equal(normalizeReference('registry.k8s.io/pause:3.10'), 'registry.k8s.io/pause:3.10');
  const d = 'sha256:' + 'a'.repeat(64);
  assert.equal(normalizeReference(`busybox@${d}`), `docker.io/library/busybox@${d}`);
});

test('invalid references are refused with the reason', () => {
  assert.throws(() => normalizeReference('Busybox'), /lowercase/);
  assert.throws(() => normalizeReference('busybox:bad tag'), /invalid/);
  assert.throws(() => normalizeReference(''), /empty/);
});

test('familiar names drop docker.io/library as docker prints them', () => {
  assert.equal(familiarName('docker.io/library/busybox:latest'), 'busybox:latest');
  assert.equal(familiarName('docker.io/your-dockerhub-username/flask-app:latest'), 'your-dockerhub-username/flask-app:latest');
  assert.equal(familiarName('localhost:5000/app:v1'), 'localhost:5000/app:v1');
});
