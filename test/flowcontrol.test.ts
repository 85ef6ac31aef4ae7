// API Priority and Fairness, black box: the bootstrap FlowSchemas and PriorityLevelConfigurations as kubectl shows
// them, and a flood from one user answered with 429 and Retry-After while another user's requests keep succeeding.
// The flooding user is put in a priority level of its own with one seat that rejects instead of queueing (as an
// administrator would jail a noisy client); the server's concurrency limit is lowered for the test cluster, so
// two of that user's requests overlapping is enough for a 429. The flood is repeated until one overlaps (each
// create waits for the datastore's commit, so 64 concurrent ones do overlap; no timing is asserted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { startTestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; text: string }

test('a flood from one user gets 429 with Retry-After while another user is still served', async (t) => {
  const c = await startTestCluster(t, { components: false, flowControl: { serverConcurrencyLimit: 20 } });
  const agent = new https.Agent({ keepAlive: true, maxSockets: 64, ca: c.pki.ca, cert: c.pki.cert, key: c.pki.key });
  t.after(() => agent.destroy());
  // The admin's certificate (system:masters) impersonating a plain user: APF classifies the impersonated user.
  const send = (as: string | undefined, method: string, path: string, body?: unknown): Promise<Reply> => new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = https.request(new URL(path, c.url), {
      method, agent, headers: { accept: 'application/json', ...(as ? { 'impersonate-user': as } : {}), ...(data ? { 'content-type': 'application/json', 'content-length': String(data.length) } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(data);
  });

  const fs = await c.kubectl(['get', 'flowschemas']);
  assert.equal(fs.code, 0, fs.stderr);
  assert.deepEqual(fs.stdout.split('\n').slice(1, 4).map((l) => l.split(/\s+/).slice(0, 3)), [['exempt', 'exempt', '1'], ['probes', 'exempt', '2'], ['system-leader-election', 'leader-election', '100']]);
  assert.match(fs.stdout.split('\n')[0], /^NAME\s+PRIORITYLEVEL\s+MATCHINGPRECEDENCE\s+DISTINGUISHERMETHOD\s+AGE\s+MISSINGPL$/);
  const pls = await c.kubectl(['get', 'prioritylevelconfigurations']);
  assert.match(pls.stdout, /^NAME\s+TYPE\s+NOMINALCONCURRENCYSHARES\s+QUEUES\s+HANDSIZE\s+QUEUELENGTHLIMIT\s+AGE\n/);
  assert.match(pls.stdout, /\nglobal-default\s+Limited\s+20\s+128\s+6\s+50\s/);

  const manifest = `
apiVersion: v1
kind: Namespace
metadata: { name: apf }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: writers, namespace: apf }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit }
subjects:
- { apiGroup: rbac.authorization.k8s.io, kind: User, name: flooder }
- { apiGroup: rbac.authorization.k8s.io, kind: User, name: alice }
---
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: PriorityLevelConfiguration
metadata: { name: jail }
spec:
  type: Limited
  limited: { nominalConcurrencyShares: 1, limitResponse: { type: Reject } }
---
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata: { name: flooder }
spec:
  priorityLevelConfiguration: { name: jail }
  matchingPrecedence: 500
  distinguisherMethod: { type: ByUser }
  rules:
  - subjects: [{ kind: User, user: { name: flooder } }]
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }]
`;
  const applied = await c.kubectl(['apply', '-f', '-'], { input: manifest });
  assert.equal(applied.code, 0, applied.stderr);
  const uidOf = async (resource: string, name: string) => JSON.parse((await send(undefined, 'GET', `/apis/flowcontrol.apiserver.k8s.io/v1/${resource}/${name}`)).text).metadata.uid as string;
  const jailUID = await uidOf('prioritylevelconfigurations', 'jail');
  const floodUID = await uidOf('flowschemas', 'flooder');
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } });
  // The configuration reaches the filter through a watch: wait until the flooder's requests are classified to it.
  await until('the flooder classified to its FlowSchema', async () => {
    const r = await send('flooder', 'GET', '/api/v1/namespaces/apf/configmaps');
    return r.status === 200 && r.headers['x-kubernetes-pf-flowschema-uid'] === floodUID && r.headers['x-kubernetes-pf-prioritylevel-uid'] === jailUID;
  });

  const rejected: Reply[] = [];
  let aliceServed = 0;
  for (let round = 0; round < 20 && rejected.length === 0; round++) {
    const flood = Promise.all(Array.from({ length: 64 }, (_, i) => send('flooder', 'POST', '/api/v1/namespaces/apf/configmaps', cm(`flood-${round}-${i}`))));
    // Meanwhile another user's requests are all served.
    for (let i = 0; i < 5; i++) {
      const r = await send('alice', 'POST', '/api/v1/namespaces/apf/configmaps', cm(`alice-${round}-${i}`));
      assert.equal(r.status, 201, r.text);
      assert.notEqual(r.headers['x-kubernetes-pf-flowschema-uid'], floodUID);
      aliceServed++;
    }
    for (const r of await flood) {
      if (r.status === 429) rejected.push(r);
      else assert.equal(r.status, 201, r.text);
    }
  }
  assert.ok(rejected.length > 0, 'a concurrent flood from one user into a one-seat priority level is rejected in part');
  assert.ok(aliceServed >= 5);
  const r = rejected[0];
  assert.match(String(r.headers['retry-after']), /^[1-9][0-9]*$/);
  assert.equal(r.text, 'Too many requests, please try again later.\n');
  assert.equal(r.headers['x-kubernetes-pf-flowschema-uid'], floodUID);
  assert.equal(r.headers['x-kubernetes-pf-prioritylevel-uid'], jailUID);

  const dump = await send(undefined, 'GET', '/debug/api_priority_and_fairness/dump_priority_levels');
  assert.equal(dump.status, 200);
  const jail = dump.text.split('\n').find((l) => l.startsWith('jail,'))!.split(',').map((s) => s.trim());
  assert.ok(Number(jail[7]) >= rejected.length, dump.text);
});
