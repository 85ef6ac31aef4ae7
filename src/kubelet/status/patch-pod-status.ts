// How a kubelet writes a pod's status (shared by the real kubelet's status manager and the simulated kubelets): a
// JSON patch of pods/status guarded by a uid test, so a write for a pod deleted and recreated under the same name
// meanwhile changes nothing; field by field, so status fields others own (nominatedNodeName, resize, ...) stay.
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { isConflict, isInvalid, isNotFound } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import { resources } from '../../api/resources.js';
import type { WriteRunner } from '../lease/node-lease.js';

/** Writes status to the pod; resolves false when the pod is gone or was replaced by a namesake. */
export async function patchPodStatus(client: Client, pod: Pod, status: PodStatus, run: WriteRunner = (w) => w()): Promise<boolean> {
  const { namespace, name, uid } = pod.metadata!;
  const ops: unknown[] = [{ op: 'test', path: '/metadata/uid', value: uid }];
  if (!pod.status) ops.push({ op: 'add', path: '/status', value: status });
  else for (const [k, v] of Object.entries(status)) ops.push({ op: 'add', path: `/status/${k}`, value: v });
  try {
    await run(() => client.patch(resources.pods, namespace, name!, 'json', ops, { subresource: 'status', discardResult: true }));
    return true;
  } catch (e) {
    if (isNotFound(e) || isInvalid(e)) return false;
    throw e;
  }
}

/**
 * The kubelet's confirmation that a pod's containers are gone (upstream's status manager): DELETE with
 * gracePeriodSeconds=0 and a uid precondition, so only this incarnation of the pod is removed.
 */
export async function confirmPodDeletion(client: Client, pod: Pod, run: WriteRunner = (w) => w()): Promise<void> {
  const { namespace, name, uid } = pod.metadata!;
  try {
    await run(() => client.delete(resources.pods, namespace, name!, { gracePeriodSeconds: 0, preconditions: { uid } }));
  } catch (e) {
    if (!isNotFound(e) && !isConflict(e) && !isInvalid(e)) throw e;
  }
}
