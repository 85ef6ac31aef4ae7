// A controller's status write as upstream's updateXStatus helpers make it (statusUpdateRetries = 1): when the write
// fails, typically a conflict with a write the informer cache has not shown yet, the object is read again and the
// status written once more. A deleted object is not read again.
import { isNotFound } from '../../api/errors.js';
import type { ResourceId } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';
import type { Client } from '../../client/client.js';

/** Writes `status` to `obj` through its status subresource; returns the stored object. */
export async function updateStatusWithRetry<T extends KubeObject>(client: Client, resource: ResourceId, obj: T, status: unknown): Promise<T> {
  let target = obj;
  for (let i = 0; ; i++) {
    try {
      return await client.updateStatus<T>(resource, { ...target, status });
    } catch (e) {
      if (i >= 1 || isNotFound(e)) throw e;
      target = await client.get<T>(resource, obj.metadata.namespace, obj.metadata.name ?? '');
    }
  }
}
