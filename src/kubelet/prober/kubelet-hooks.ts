// The kubelet's wiring of this module, in the shapes KubeletOptions takes:
//   probes:    kubeletProbes({ runtime, recorder, clock, log })   → (onChange) => ProbeHooks
//   lifecycle: new LifecycleHandlerRunner({ runtime, clock })
// Probe events go on the container (fieldPath spec.containers{name}), as upstream's.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../client/clock.js';
import type { EventRecorder } from '../../client/events.js';
import type { LogFn } from '../../client/log.js';
import type { ExecRunner } from './exec-probe.js';
import { ProbeManager } from './probe-manager.js';

export interface KubeletProbesOptions { runtime: ExecRunner; recorder: EventRecorder; clock?: Clock; log?: LogFn }

export function containerRef(pod: Pod, c: Container) {
  const m = pod.metadata ?? {};
  const init = (pod.spec?.initContainers ?? []).some((x) => x.name === c.name) && !(pod.spec?.containers ?? []).some((x) => x.name === c.name);
  return {
    apiVersion: 'v1', kind: 'Pod', name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion,
    fieldPath: `spec.${init ? 'initContainers' : 'containers'}{${c.name}}`,
  };
}

/** A probe manager factory: onChange(uid) asks the kubelet to sync the pod when a result changes. */
export function kubeletProbes(o: KubeletProbesOptions): (onChange: (podUid: string) => void) => ProbeManager {
  return (onChange) => new ProbeManager({
    runtime: o.runtime, clock: o.clock, log: o.log,
    recordEvent: (pod, c, type, reason, message) => { void o.recorder.event(containerRef(pod, c), type, reason, message); },
    onUpdate: (u) => onChange(u.podUid),
  });
}
