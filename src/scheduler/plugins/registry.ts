// Plugin name → factory (upstream's in-tree registry), and the default profile: the enabled plugins in Filter
// order (cheap checks first) with upstream's default score weights (TaintToleration 3, NodeAffinity 2,
// PodTopologySpread 2, NodeResourcesFit 1, NodeResourcesBalancedAllocation 1).
import type { PluginFactory } from '../framework/types.js';
import type { Profile } from '../framework/framework.js';
import { newNodeReady, NAME as NodeReady } from './node-ready/node-ready.js';
import { newNodeUnschedulable, NAME as NodeUnschedulable } from './node-unschedulable/node-unschedulable.js';
import { newNodeName, NAME as NodeName } from './node-name/node-name.js';
import { newTaintToleration, NAME as TaintToleration } from './taint-toleration/taint-toleration.js';
import { newNodeAffinity, NAME as NodeAffinity } from './node-affinity/node-affinity.js';
import { newNodeResourcesFit, NAME as NodeResourcesFit } from './node-resources-fit/node-resources-fit.js';
import { newBalancedAllocation, NAME as BalancedAllocation } from './node-resources-balanced-allocation/balanced-allocation.js';
import { newPodTopologySpread, NAME as PodTopologySpread } from './pod-topology-spread/pod-topology-spread.js';
import { newDefaultPreemption, NAME as DefaultPreemption } from './default-preemption/default-preemption.js';
import { newDefaultBinder, NAME as DefaultBinder } from './default-binder/default-binder.js';
import { newVolumeBinding, informerListers, NAME as VolumeBinding } from './volume-binding/volume-binding.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** A fresh copy of the in-tree registry; callers may add their own plugins to it. */
export function inTreeRegistry(): Map<string, PluginFactory> {
  return new Map<string, PluginFactory>([
    [NodeReady, () => newNodeReady()],
    [NodeUnschedulable, () => newNodeUnschedulable()],
    [NodeName, () => newNodeName()],
    [TaintToleration, () => newTaintToleration()],
    [NodeAffinity, () => newNodeAffinity()],
    [NodeResourcesFit, () => newNodeResourcesFit()],
    [BalancedAllocation, () => newBalancedAllocation()],
    [PodTopologySpread, (_args, h) => newPodTopologySpread(h.nodeInfos)],
    [DefaultPreemption, (_args, h) => newDefaultPreemption(h)],
    [VolumeBinding, (_args, h) => newVolumeBinding(h, h.informers ? informerListers(h.informers) : undefined)],
    [DefaultBinder, (_args, h) => newDefaultBinder(h)],
  ]);
}

export function defaultProfile(schedulerName = DEFAULT_SCHEDULER_NAME): Profile {
  return {
    schedulerName,
    plugins: [
      { name: NodeReady },
      { name: NodeUnschedulable },
      { name: NodeName },
      { name: TaintToleration, weight: 3 },
      { name: NodeAffinity, weight: 2 },
      { name: NodeResourcesFit, weight: 1 },
      { name: PodTopologySpread, weight: 2 },
      { name: BalancedAllocation, weight: 1 },
      { name: VolumeBinding },
      { name: DefaultPreemption },
      { name: DefaultBinder },
    ],
  };
}
