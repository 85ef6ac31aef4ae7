// Which container of a pod a log/exec/attach request addresses, checked as upstream's validateContainer
// (pkg/registry/core/pod/strategy.go) before anything goes to the kubelet.
import { badRequest } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';

interface PodShape extends KubeObject { spec?: { nodeName?: string; containers?: Array<{ name: string }>; initContainers?: Array<{ name: string }>; ephemeralContainers?: Array<{ name: string }> } }

export function podContainer(pod: KubeObject, requested: string | null | undefined): string {
  const p = pod as PodShape;
  const name = p.metadata.name;
  const containers = p.spec?.containers ?? [], init = p.spec?.initContainers ?? [], ephemeral = p.spec?.ephemeralContainers ?? [];
  if (!requested) {
    if (containers.length === 1) return containers[0].name;
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    let message = `a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`;
    if (init.length > 0) message += ` or one of the init containers: [${init.map((c) => c.name).join(' ')}]`;
    throw badRequest(message);
  }
  if (![...containers, ...init, ...ephemeral].some((c) => c.name === requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

/** The node a pod's streams go to; exec, attach and port-forward need one (log answers empty without). */
export function podNodeName(pod: KubeObject): string | undefined {
  return (pod as PodShape).spec?.nodeName || undefined;
}
