// VolumeBinding: unbound Immediate claims hold a pod back, bound local volumes pin it to their node, and the chosen
// node is written to WaitForFirstConsumer claims.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/object.js';
import { NodeInfo } from '../../framework/node-info.js';
import { PodInfo } from '../../framework/pod-info.js';
import { CycleState, type FrameworkHandle } from '../../framework/types.js';
import { makeNode, makePod } from '../../testing.js';
import { newVolumeBinding, type VolumeListers, ERR_NODE_CONFLICT, ERR_UNBOUND_IMMEDIATE } from './volume-binding.js';

const node = (name: string) => { const n = new NodeInfo(name); n.setNode(makeNode(name)); return n; };
const podWith = (claimName: string) => { const p = makePod('user'); p.spec!.volumes = [{ name: 'd', persistentVolumeClaim: { claimName } }]; return new PodInfo(p); };
const claim = (name: string, cls: string, volumeName?: string): KubeObject =>
  ({ metadata: { name, namespace: 'default' }, spec: { storageClassName: cls, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName } });

function listers(objs: { claims: KubeObject[]; volumes?: KubeObject[] }): VolumeListers {
  const classes: Record<string, KubeObject> = {
    fast: { metadata: { name: 'fast' }, provisioner: 'x.io/p', volumeBindingMode: 'Immediate' },
    local: { metadata: { name: 'local' }, provisioner: 'nanokube.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' },
  };
  return {
    claim: (_ns, n) => objs.claims.find((c) => c.metadata.name === n),
    volume: (n) => objs.volumes?.find((v) => v.metadata.name === n),
    volumes: () => objs.volumes ?? [],
    storageClass: (n) => classes[n],
  };
}

test('a pod with an unbound Immediate claim is unschedulable; a bound local volume admits only its node', () => {
  const patches: unknown[] = [];
  const handle = { client: { patch: async (...a: unknown[]) => { patches.push(a); } } } as unknown as FrameworkHandle;
  const p = newVolumeBinding(handle, listers({ claims: [claim('late', 'fast')] }));
  assert.equal(p.preFilter(new CycleState(), podWith('late'))?.message, ERR_UNBOUND_IMMEDIATE);
  assert.equal(p.preFilter(new CycleState(), podWith('missing'))?.message, 'persistentvolumeclaim "missing" not found');

  const pv: KubeObject = { metadata: { name: 'pv-a' }, spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['a'] }] }] } } } };
  const bound = newVolumeBinding(handle, listers({ claims: [claim('data', 'local', 'pv-a')], volumes: [pv] }));
  const state = new CycleState();
  assert.equal(bound.preFilter(state, podWith('data')), null);
  assert.equal(bound.filter(state, podWith('data'), node('a')), null);
  assert.equal(bound.filter(state, podWith('data'), node('b'))?.message, ERR_NODE_CONFLICT);
});

test('binding a pod writes the chosen node on its unbound WaitForFirstConsumer claims, then lets the default binder bind', async () => {
  const patches: any[] = [];
  const handle = { client: { patch: async (...a: unknown[]) => { patches.push(a); } } } as unknown as FrameworkHandle;
  const p = newVolumeBinding(handle, listers({ claims: [claim('data', 'local')] }));
  const state = new CycleState();
  assert.equal(p.preFilter(state, podWith('data')), null);
  assert.equal(p.filter(state, podWith('data'), node('b')), null, 'a provisioner can make a volume on any node');
  const st = await p.bind(state, podWith('data'), 'b');
  assert.equal(st?.code, 'Skip');
  assert.deepEqual(patches[0].slice(1), ['default', 'data', 'merge', { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'b' } } }]);
});
