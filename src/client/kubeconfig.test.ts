import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { defaultKubeconfigPath, loadKubeconfig } from './kubeconfig.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('kubeconfig: the current context yields server, CA, client cert/key and namespace', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanokube-kubeconfig-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'client.key'), 'KEY-PEM');
  const file = path.join(dir, 'config');
  fs.writeFileSync(file, stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'nanokube',
    clusters: [{ name: 'nanokube', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': b64('CA-PEM') } }],
    users: [
      { name: 'admin', user: { 'client-certificate-data': b64('CERT-PEM'), 'client-key': 'client.key' } },
      { name: 'agent', user: { token: 'abc.def' } },
    ],
    contexts: [
      { name: 'nanokube', context: { cluster: 'nanokube', user: 'admin', namespace: 'prod' } },
      { name: 'agent', context: { cluster: 'nanokube', user: 'agent' } },
    ],
  }));
  const cfg = loadKubeconfig(file);
  assert.deepEqual(cfg.transport, { server: 'https://127.0.0.1:6443', ca: 'CA-PEM', cert: 'CERT-PEM', key: 'KEY-PEM' });
  assert.equal(cfg.namespace, 'prod');
  const agent = loadKubeconfig(file, { context: 'agent' });
  assert.equal(agent.transport.token, 'abc.def');
  assert.equal(agent.namespace, 'default');
  assert.throws(() => loadKubeconfig(file, { context: 'nope' }), /context "nope" not found/);
});

test('kubeconfig: $KUBECONFIG (first entry) wins over ~/.kube/config', () => {
  assert.equal(defaultKubeconfigPath({ KUBECONFIG: `/a/config${path.delimiter}/b/config` }), '/a/config');
  assert.equal(defaultKubeconfigPath({}), path.join(os.homedir(), '.kube', 'config'));
});
