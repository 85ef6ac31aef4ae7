import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evictionTime } from './taint-eviction.js';
import { desiredTaints, toleratesTaint, withDefaultTolerations, type Taint } from './taints.js';

test('taints: a node reporting Ready=False gets the not-ready taints; pressure and unschedulable add NoSchedule ones', () => {
  const node = { metadata: {}, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'DiskPressure', status: 'True' }] } };
  assert.deepEqual(desiredTaints(node).map((t) => `${t.key}:${t.effect}`).sort(), [
    'node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule',
    'node.kubernetes.io/unschedulable:NoSchedule',
  ]);
  assert.deepEqual(desiredTaints({ metadata: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } }), []);
});

test('taint eviction: untolerated → now; tolerated → timeAdded + shortest tolerationSeconds; no seconds → never', () => {
  const taint: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2025-01-01T00:00:00Z' };
  const t0 = Date.parse(taint.timeAdded!);
  const never = () => { throw new Error('timeAdded is set'); };
  assert.equal(evictionTime([taint], [], never), 0);
  assert.equal(evictionTime([taint], withDefaultTolerations([], 300), never), t0 + 300_000);
  assert.equal(evictionTime([taint], withDefaultTolerations([], null), never), 0, 'without the admission default: at once');
  assert.equal(evictionTime([taint], [{ key: taint.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }], never), t0 + 10_000);
  assert.equal(evictionTime([taint], [{ operator: 'Exists' }], never), undefined);
  assert.equal(toleratesTaint({ key: 'a', value: 'x' }, { key: 'a', value: 'y', effect: 'NoSchedule' }), false, 'Equal compares values');
  assert.equal(evictionTime([{ key: 'x', effect: 'NoExecute' }], [{ key: 'x', operator: 'Exists', tolerationSeconds: 5 }], () => 1000), 6000, 'no timeAdded: from first seen');
});
