// NodeName: a pod that names its node (spec.nodeName) fits only there. Pods with spec.nodeName are normally
// never queued (they are already assigned); the plugin keeps upstream's filter for completeness and skips
// itself for every other pod.
import type { FilterPlugin, PreFilterPlugin } from '../../framework/types.js';
import { SKIP, Status } from '../../framework/status.js';

export const NAME = 'NodeName';
export const ERR_REASON = "node(s) didn't match the requested node name";

export function newNodeName(): PreFilterPlugin & FilterPlugin {
  return {
    name: NAME,
    preFilter(_state, pod) { return pod.pod.spec?.nodeName ? null : SKIP; },
    filter(_state, pod, node) {
      const want = pod.pod.spec?.nodeName;
      return !want || want === node.name ? null : Status.unresolvable(ERR_REASON);
    },
  };
}
