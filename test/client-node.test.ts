// The official JavaScript client (@kubernetes/client-node) against nanokube: typed CRUD, watch, the patch types it
// sends, and the same behaviour from several bundled kubectl versions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as k8s from '@kubernetes/client-node';
import { startTestCluster } from './helpers/cluster.js';

test('client-node: create, list, watch and strategic/merge patches behave as against upstream', async (t) => {
  const c = await startTestCluster(t);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);

  const events: string[] = [];
  const watch = new k8s.Watch(kc);
  const gotAll = new Promise<void>((resolve) => {
    void watch.watch('/api/v1/namespaces/default/configmaps', {}, (type, obj: any) => {
      if (obj.metadata.name === 'kube-root-ca.crt') return; // the root CA publisher's, present in every namespace
      events.push(`${type} ${obj.metadata.name} ${JSON.stringify(obj.data ?? {})}`);
      if (events.length === 3) resolve();
    }, () => undefined).then((req) => t.after(() => req.abort()));
  });
  await new Promise((r) => setTimeout(r, 200));
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cfg' }, data: { a: '1' } } });
  await core.patchNamespacedConfigMap({ namespace: 'default', name: 'cfg', body: { data: { b: '2' } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'cfg' });
  await gotAll;
  assert.deepEqual(events, ['ADDED cfg {"a":"1"}', 'MODIFIED cfg {"a":"1","b":"2"}', 'DELETED cfg {"a":"1","b":"2"}']);

  const dep = await apps.createNamespacedDeployment({ namespace: 'default', body: {
    metadata: { name: 'web' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'a:1', env: [{ name: 'X', value: '1' }] }] } } },
  } });
  assert.equal(dep.spec?.strategy?.type, 'RollingUpdate');
  const patched = await apps.patchNamespacedDeployment({ namespace: 'default', name: 'web',
    body: { spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'Y', value: '2' }] }] } } } } },
  k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch));
  assert.deepEqual(patched.spec?.template.spec?.containers[0].env?.map((e) => e.name), ['Y', 'X'], 'env merged by name (new entries first, as upstream)');
  assert.equal(patched.spec?.template.spec?.containers[0].image, 'a:1');
  await assert.rejects(core.readNamespacedConfigMap({ namespace: 'default', name: 'nope' }), (e: any) => e.code === 404);
  const list = await core.listNamespace();
  assert.deepEqual(list.items.map((n) => n.metadata?.name).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
});

test('other bundled kubectl versions (1.30–1.33) work against the server', async (t) => {
  const dir = dirname(realpathSync(execFileSync('which', ['kubectl'], { encoding: 'utf8' }).trim()));
  const versions = ['1.30', '1.31', '1.33'].filter((v) => existsSync(join(dir, `kubectl.${v}`)));
  if (versions.length === 0) { t.skip('skipped: no bundled kubectl.1.x clients found'); return; }
  const c = await startTestCluster(t);
  for (const v of versions) {
    const bin = join(dir, `kubectl.${v}`);
    const name = `cm-${v.replace('.', '-')}`;
    const applied = await c.kubectl(['apply', '-f', '-'], { kubectlBinary: bin, input: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: b\n` });
    assert.equal(applied.stdout.trim(), `configmap/${name} created`, `kubectl ${v}: ${applied.stderr}`);
    const got = await c.kubectl(['get', 'configmap', name], { kubectlBinary: bin });
    assert.match(got.stdout, new RegExp(`^NAME\\s+DATA\\s+AGE\\n${name}\\s+1\\s+`), `kubectl ${v}`);
  }
});
