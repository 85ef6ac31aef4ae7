import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServerUrl, homePaths, ingressPorts, loadConfig, resolveHome, saveConfig } from './home.js';
import { effectiveConfig } from './commands/start.js';

test('NANOKUBE_HOME chooses the state folder, ~/.nanokube otherwise', () => {
  assert.equal(resolveHome({ NANOKUBE_HOME: '/x/y' }), '/x/y');
  assert.match(resolveHome({}), /\.nanokube$/);
});

test('a plain start after stop reuses the remembered port and datastore; flags given again override them', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-home-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const paths = homePaths(dir);
  assert.equal(loadConfig(paths), undefined);
  const first = effectiveConfig(undefined, { apiPort: 7443, datastoreEndpoint: 'http://127.0.0.1:2379' });
  saveConfig(paths, first);
  assert.deepEqual(effectiveConfig(loadConfig(paths), {}), { apiPort: 7443, listenAddress: '127.0.0.1', datastoreEndpoint: 'http://127.0.0.1:2379' });
  assert.equal(effectiveConfig(loadConfig(paths), { apiPort: 8443 }).apiPort, 8443);
  assert.deepEqual(effectiveConfig(undefined, {}), { apiPort: 6443, listenAddress: '127.0.0.1' });
});

test('clients reach a server bound to a wildcard address over loopback', () => {
  assert.equal(apiServerUrl({ apiPort: 6443, listenAddress: '0.0.0.0' }), 'https://127.0.0.1:6443');
  assert.equal(apiServerUrl({ apiPort: 6443, listenAddress: '::1' }), 'https://[::1]:6443');
  assert.equal(apiServerUrl({ apiPort: 9, listenAddress: '192.168.1.5' }), 'https://192.168.1.5:9');
});

test('the ingress ports given to start are remembered; 0 turns a listener off', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-home-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const paths = homePaths(dir);
  saveConfig(paths, effectiveConfig(undefined, { ingressHttpPort: 8080, ingressHttpsPort: 0 }));
  const again = effectiveConfig(loadConfig(paths), {});
  assert.equal(again.ingressHttpPort, 8080);
  assert.equal(again.ingressHttpsPort, 0);
  assert.deepEqual(ingressPorts(again), { ingressHttpPort: 8080, ingressHttpsPort: false });
  assert.deepEqual(ingressPorts(effectiveConfig(undefined, {})), {}, 'without flags the server uses 80 and 443');
  assert.equal(effectiveConfig(loadConfig(paths), { ingressHttpPort: 9090 }).ingressHttpPort, 9090);
});
