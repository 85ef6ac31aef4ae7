// The seed course's kubectl workflow (Class 2, Hands-On Demonstration) against a real nanokube control plane,
// with the real kubectl on the PATH, on both datastores: SQLite (default) and a real etcd.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster, examplePath } from './helpers/cluster.js';
import { startTestEtcd } from './helpers/etcd.js';

const seedFiles = ['db-secret.yaml', 'app-config.yaml', 'flask-deployment.yaml', 'flask-service.yaml'].map(examplePath);

for (const backend of ['sqlite', 'etcd'] as const) {
  describe(`seed workflow on ${backend}`, () => {
    test('apply, get, describe, re-apply, delete, and state surviving a restart', async (t) => {
      let datastoreEndpoint: string | undefined;
      if (backend === 'etcd') {
        const etcd = await startTestEtcd();
        if (!etcd) { t.skip('skipped: etcd not found'); return; }
        t.after(() => etcd.stop());
        datastoreEndpoint = etcd.endpoint;
      }
      const c = await startTestCluster(t, { datastoreEndpoint });
      const k = c.kubectl;

      const applied = await k(['apply', ...seedFiles.flatMap((f) => ['-f', f])]);
      assert.equal(applied.code, 0, applied.stderr);
      assert.deepEqual(applied.stdout.trim().split('\n'), [
        'secret/db-secret created', 'configmap/app-config created', 'deployment.apps/flask-app created', 'service/flask-service created',
      ]);

      const got = await k(['get', 'deploy,svc,cm,secret']);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /deployment\.apps\/flask-app\s+\d\/2\s+\d+\s+\d+\s+\d+s/);
      assert.match(got.stdout, /service\/flask-service\s+NodePort\s+10\.\d+\.\d+\.\d+\s+<none>\s+5000:30001\/TCP/);
      assert.match(got.stdout, /service\/kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP/);
      assert.match(got.stdout, /configmap\/app-config\s+2\s+/);
      assert.match(got.stdout, /secret\/db-secret\s+Opaque\s+2\s+/);

      const described = await k(['describe', 'deployment', 'flask-app']);
      assert.equal(described.code, 0, described.stderr);
      assert.match(described.stdout, /Replicas:\s+2 desired/);
      assert.match(described.stdout, /StrategyType:\s+RollingUpdate/);
      assert.match(described.stdout, /RollingUpdateStrategy:\s+25% max unavailable, 25% max surge/);
      assert.match(described.stdout, /DATABASE_USER:\s+<set to the key 'username' in secret 'db-secret'>/);
      assert.match(described.stdout, /app-config\s+ConfigMap\s+Optional: false/);

      const again = await k(['apply', '-f', examplePath('flask-deployment.yaml')]);
      assert.equal(again.stdout.trim(), 'deployment.apps/flask-app unchanged', again.stderr);

      const edited = join(c.home, 'flask-deployment.yaml');
      writeFileSync(edited, readFileSync(examplePath('flask-deployment.yaml'), 'utf8').replace('flask-app:latest', 'flask-app:v2'));
      const changed = await k(['apply', '-f', edited]);
      assert.equal(changed.stdout.trim(), 'deployment.apps/flask-app configured', changed.stderr);
      const image = await k(['get', 'deployment', 'flask-app', '-o', 'jsonpath={.metadata.generation} {.spec.template.spec.containers[0].image}']);
      assert.equal(image.stdout, '2 your-dockerhub-username/flask-app:v2');

      // The Secret's data is stored as given and never echoed in errors or tables.
      const secret = await k(['get', 'secret', 'db-secret', '-o', 'jsonpath={.data.username}']);
      assert.equal(Buffer.from(secret.stdout, 'base64').toString(), 'postgres');

      // Restart: everything is still there.
      await c.plane.close();
      const c2 = await startTestCluster(t, { home: c.home, datastoreEndpoint });
      const after = await c2.kubectl(['get', 'deploy,svc,cm,secret', '-o', 'name']);
      assert.equal(after.code, 0, after.stderr);
      for (const n of ['deployment.apps/flask-app', 'service/flask-service', 'configmap/app-config', 'secret/db-secret']) assert.ok(after.stdout.includes(n), `${n} survives a restart`);

      const delSvc = await c2.kubectl(['delete', 'service', 'flask-service']);
      assert.equal(delSvc.stdout.trim(), 'service "flask-service" deleted', delSvc.stderr);
      const delDep = await c2.kubectl(['delete', 'deployment', 'flask-app']);
      assert.equal(delDep.stdout.trim(), 'deployment.apps "flask-app" deleted', delDep.stderr);
      const gone = await c2.kubectl(['get', 'deployment', 'flask-app']);
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /Error from server \(NotFound\): deployments\.apps "flask-app" not found/);
    });
  });
}
