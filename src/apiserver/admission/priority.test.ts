// The Priority admission plugin: pods get their class's priority, the default class applies when none is named,
// unknown classes and conflicting priorities are forbidden, and only one class may be the global default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { pods } from '../registry/core/pods/strategy.js';
import { priorityclasses } from '../registry/scheduling/priorityclasses/strategy.js';
import { priority } from './priority.js';

const pc = (name: string, value: number, extra: Record<string, unknown> = {}): KubeObject => ({ metadata: { name }, value, preemptionPolicy: 'PreemptLowerPriority', ...extra });
const pod = (spec: Record<string, unknown> = {}): KubeObject => ({ metadata: { name: 'x', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } });
const attrs = (object: KubeObject, def = pods) => ({ operation: 'CREATE' as const, object, namespace: 'default', def, dryRun: false });

test('pods get the priority and preemptionPolicy of their class, or of the lowest global default', async () => {
  const plugin = priority({ listPriorityClasses: async () => [pc('high', 1000, { preemptionPolicy: 'Never' }), pc('d2', 20, { globalDefault: true }), pc('d1', 10, { globalDefault: true })] });
  const named = pod({ priorityClassName: 'high' });
  await plugin.admit(attrs(named));
  assert.deepEqual([named.spec.priority, named.spec.preemptionPolicy], [1000, 'Never']);
  const unnamed = pod();
  await plugin.admit(attrs(unnamed));
  assert.deepEqual([unnamed.spec.priorityClassName, unnamed.spec.priority], ['d1', 10]);
  const none = pod();
  await priority({ listPriorityClasses: async () => [] }).admit(attrs(none));
  assert.deepEqual([none.spec.priorityClassName, none.spec.priority], [undefined, 0]);
});

test('an unknown class, or a priority that differs from the class, is forbidden with upstream\'s words', async () => {
  const plugin = priority({ listPriorityClasses: async () => [pc('high', 1000)] });
  await assert.rejects(plugin.admit(attrs(pod({ priorityClassName: 'foo' }))), (e: any) => e.code === 403 && e.message === 'pods "x" is forbidden: no PriorityClass with name foo was found');
  await assert.rejects(plugin.admit(attrs(pod({ priorityClassName: 'high', priority: 5 }))),
    (e: any) => e.message === 'pods "x" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name');
  const same = pod({ priorityClassName: 'high', priority: 1000 });
  await plugin.admit(attrs(same));
  assert.equal(same.spec.priority, 1000);
});

test('a second globalDefault PriorityClass is forbidden', async () => {
  const plugin = priority({ listPriorityClasses: async () => [pc('first', 1, { globalDefault: true })] });
  await assert.rejects(plugin.admit(attrs(pc('second', 2, { globalDefault: true }), priorityclasses)),
    (e: any) => e.message === 'priorityclasses.scheduling.k8s.io "second" is forbidden: PriorityClass first is already marked as default. Only one default can exist');
  await plugin.admit(attrs(pc('third', 3), priorityclasses));
});
