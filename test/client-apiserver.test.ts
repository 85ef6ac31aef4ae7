// The client against the real API server, over both transports (DESIGN.md §1: in-process must behave exactly
// like HTTPS). Uses the in-process cluster (src/cmd/cluster.ts): SQLite in a temp folder, certificates from src/pki.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isConflict, isNotFound, StatusError } from '../src/api/errors.js';
import { Client } from '../src/client/client.js';
import { resources } from '../src/api/resources.js';
import type { KubeObject } from '../src/api/object.js';
import { settle } from '../src/client/testing.js';
import { EventRecorder } from '../src/client/events.js';
import { SharedInformer } from '../src/client/informer.js';
import { LeaderElector, type Lease } from '../src/client/leader-election.js';
import { discardLog } from '../src/client/log.js';
import { httpTransport, inProcessTransport, type Transport } from '../src/client/transport.js';
import { startCluster } from '../src/cmd/cluster.js';

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) { if (cond()) return; await new Promise((r) => setTimeout(r, 5)); }
  assert.fail(`never happened: ${what}`);
}

async function startServer(t: import('node:test').TestContext) {
  // The API server alone (no scheduler, controllers or kubelets), so the test sees only its own writes.
  const api = await startCluster({ components: false });
  t.after(() => api.close());
  return { api, admin: api.admin! };
}

for (const kind of ['in-process', 'https'] as const) {
  test(`real apiserver over ${kind}: CRUD, errors, informer, events and leases behave as upstream`, async (t) => {
    const server = await startServer(t);
    const { api, admin } = server;
    const transport: Transport = kind === 'in-process'
      ? inProcessTransport(api.handler, { user: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] } })
      : httpTransport({ server: api.url, ...admin });
    t.after(() => transport.close());
    const client = new Client(transport, { userAgent: 'nanokube-client-test' });

    const created = await client.create(resources.configmaps, 'default', { metadata: { name: 'c1', labels: { app: 'web' } }, data: { a: '1' } });
    assert.equal(created.kind, 'ConfigMap');
    await assert.rejects(client.get(resources.configmaps, 'default', 'nope'), (e) => isNotFound(e) && (e as StatusError).code === 404);
    const stale = structuredClone(created);
    await client.update(resources.configmaps, { ...created, data: { a: '2' } });
    await assert.rejects(client.update(resources.configmaps, { ...stale, data: { a: '3' } }), isConflict);
    const patched = await client.patch(resources.configmaps, 'default', 'c1', 'merge', { data: { b: '1' } });
    assert.deepEqual(patched.data, { a: '2', b: '1' });
    const list = await client.list(resources.configmaps, { namespace: 'default', labelSelector: 'app=web' });
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ['c1']);

    const ac = new AbortController();
    t.after(() => ac.abort());
    const inf = new SharedInformer<KubeObject>(client, resources.configmaps, { namespace: 'default', log: discardLog, pageSize: 1 });
    const seen: string[] = [];
    inf.addEventHandler({
      onAdd: (o) => seen.push(`add ${o.metadata?.name}`),
      onDelete: (o) => seen.push(`delete ${'key' in o && !('metadata' in o) ? o.key : (o as KubeObject).metadata?.name}`),
    });
    void inf.run(ac.signal);
    assert.equal(await inf.waitForSync(ac.signal), true);
    await client.create(resources.configmaps, 'default', { metadata: { name: 'c2' } });
    await client.delete(resources.configmaps, 'default', 'c1');
    await until(() => seen.includes('delete c1') && seen.includes('add c2'), 'informer saw the changes');
    assert.deepEqual(inf.keys().filter((k) => k.startsWith('default/c')).sort(), ['default/c2']);

    const rec = new EventRecorder({ client, component: 'client-test', log: (e) => { throw new Error(JSON.stringify(e)); } });
    await rec.event(created, 'Normal', 'Tested', 'first');
    await rec.event(created, 'Normal', 'Tested', 'first');
    const events = (await client.list(resources.events, { namespace: 'default' })).items.filter((e) => e.reason === 'Tested');
    assert.equal(events.length, 1);
    assert.equal(events[0].count, 2);

    let leading = false;
    const el = new LeaderElector({
      client, lease: { namespace: 'kube-system', name: `it-${kind}` }, identity: 'me', log: discardLog,
      callbacks: { onStartedLeading: () => { leading = true; }, onStoppedLeading: () => undefined },
    });
    const done = el.run(ac.signal);
    await until(() => leading, 'acquired the lease');
    const lease = await client.get<Lease>(resources.leases, 'kube-system', `it-${kind}`);
    assert.equal(lease.spec?.holderIdentity, 'me');
    assert.match(lease.spec!.renewTime!, /\.\d{6}Z$/);
    ac.abort();
    await done;
    await settle();
  });
}
