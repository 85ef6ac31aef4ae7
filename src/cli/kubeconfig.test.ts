import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { kubeconfigPath, kubeconfigStatus, removeKubeconfigEntry, writeKubeconfigEntry } from './kubeconfig.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-kubeconfig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const creds = { ca: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n', cert: 'CERT-PEM', key: 'KEY-PEM' };

const existing = `# my clusters
apiVersion: v1
kind: Config
clusters:
- cluster:
    server: https://prod.example:443
  name: prod
contexts:
- context:
    cluster: prod
    user: alice
  name: prod
current-context: prod
preferences:
  colors: true
users:
- name: alice
  user:
    token: abc
`;

test('KUBECONFIG names a path list; the first entry is the file written, else ~/.kube/config', () => {
  assert.equal(kubeconfigPath({ KUBECONFIG: '/a/config:/b/config' }), '/a/config');
  assert.equal(kubeconfigPath({ KUBECONFIG: ':/b/config' }), '/b/config');
  assert.match(kubeconfigPath({}), /\.kube\/config$/);
});

test('start creates a kubeconfig (and its folders) with embedded credentials and nanokube as current context', (t) => {
  const path = join(tempDir(t), 'nested', 'dir', 'config');
  writeKubeconfigEntry({ path, name: 'nanokube', server: 'https://127.0.0.1:6443', ...creds });
  assert.equal(statSync(path).mode & 0o777, 0o600);

  const cfg = parse(readFileSync(path, 'utf8'));
  assert.equal(cfg.apiVersion, 'v1');
  assert.equal(cfg.kind, 'Config');
  assert.equal(cfg['current-context'], 'nanokube');
  assert.deepEqual(cfg.contexts, [{ name: 'nanokube', context: { cluster: 'nanokube', user: 'nanokube', namespace: 'default' } }]);
  const cluster = cfg.clusters[0];
  assert.equal(cluster.name, 'nanokube');
  assert.equal(cluster.cluster.server, 'https://127.0.0.1:6443');
  assert.equal(Buffer.from(cluster.cluster['certificate-authority-data'], 'base64').toString(), creds.ca);
  const user = cfg.users[0];
  assert.equal(user.name, 'nanokube');
  assert.equal(Buffer.from(user.user['client-certificate-data'], 'base64').toString(), 'CERT-PEM');
  assert.equal(Buffer.from(user.user['client-key-data'], 'base64').toString(), 'KEY-PEM');
  assert.equal(kubeconfigStatus({ path, name: 'nanokube', server: 'https://127.0.0.1:6443' }), 'Configured');
  assert.equal(kubeconfigStatus({ path, name: 'nanokube', server: 'https://127.0.0.1:7000' }), 'Misconfigured');
});

test('merging keeps the other clusters, users, preferences and comments, and switches current-context', (t) => {
  const path = join(tempDir(t), 'config');
  writeFileSync(path, existing);
  writeKubeconfigEntry({ path, name: 'nanokube', server: 'https://127.0.0.1:6443', ...creds });
  writeKubeconfigEntry({ path, name: 'nanokube', server: 'https://127.0.0.1:7443', ...creds }); // restart on another port
  const text = readFileSync(path, 'utf8');
  assert.match(text, /# my clusters/);
  const cfg = parse(text);
  assert.equal(cfg['current-context'], 'nanokube');
  assert.deepEqual(cfg.clusters.map((c: { name: string }) => c.name), ['prod', 'nanokube']);
  assert.deepEqual(cfg.users.map((c: { name: string }) => c.name), ['alice', 'nanokube']);
  assert.deepEqual(cfg.contexts.map((c: { name: string }) => c.name), ['prod', 'nanokube']);
  assert.equal(cfg.clusters[1].cluster.server, 'https://127.0.0.1:7443');
  assert.deepEqual(cfg.preferences, { colors: true });
  assert.equal(cfg.users[0].user.token, 'abc');
});

test('delete removes only the nanokube entries and unsets current-context when it was nanokube', (t) => {
  const path = join(tempDir(t), 'config');
  writeFileSync(path, existing);
  writeKubeconfigEntry({ path, name: 'nanokube', server: 'https://127.0.0.1:6443', ...creds });
  assert.equal(removeKubeconfigEntry({ path, name: 'nanokube' }), true);
  const cfg = parse(readFileSync(path, 'utf8'));
  assert.equal(cfg['current-context'], undefined);
  assert.deepEqual(cfg.clusters.map((c: { name: string }) => c.name), ['prod']);
  assert.deepEqual(cfg.users.map((c: { name: string }) => c.name), ['alice']);
  assert.deepEqual(cfg.contexts.map((c: { name: string }) => c.name), ['prod']);
  assert.equal(removeKubeconfigEntry({ path, name: 'nanokube' }), false, 'second delete finds nothing');
});

test('delete leaves current-context alone when the user had switched to another cluster', (t) => {
  const path = join(tempDir(t), 'config');
  writeKubeconfigEntry({ path, name: 'nanokube', server: 'https://127.0.0.1:6443', ...creds });
  const cfg = parse(readFileSync(path, 'utf8'));
  writeFileSync(path, readFileSync(path, 'utf8').replace('current-context: nanokube', 'current-context: other'));
  assert.equal(cfg['current-context'], 'nanokube');
  removeKubeconfigEntry({ path, name: 'nanokube' });
  assert.equal(parse(readFileSync(path, 'utf8'))['current-context'], 'other');
});

test('an unreadable kubeconfig gives a one-line error naming the file, and is not overwritten', (t) => {
  const path = join(tempDir(t), 'config');
  writeFileSync(path, 'clusters: [\n  - {');
  assert.throws(() => writeKubeconfigEntry({ path, name: 'nanokube', server: 'https://127.0.0.1:6443', ...creds }),
    (err: Error) => err.name === 'CliError' && err.message.includes(path) && !err.message.includes('\n'));
  assert.equal(readFileSync(path, 'utf8'), 'clusters: [\n  - {');
});
