// DefaultBinder: writes the decision with POST pods/<name>/binding, as upstream. Rejects with the API's
// StatusError (409 Conflict when the pod is already bound, 404 when it is gone).
import { resources } from '../../../api/resources.js';
import type { BindPlugin, FrameworkHandle } from '../../framework/types.js';

export const NAME = 'DefaultBinder';

export function newDefaultBinder(handle: FrameworkHandle): BindPlugin {
  return {
    name: NAME,
    async bind(_state, pod, nodeName) {
      await handle.client.createSubresource(resources.pods, pod.namespace, pod.name, 'binding', {
        apiVersion: 'v1', kind: 'Binding',
        metadata: { name: pod.name, namespace: pod.namespace, uid: pod.pod.metadata?.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      }, { discardResult: true });
      return null;
    },
  };
}
