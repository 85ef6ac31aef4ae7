// What each kind of write may change on a resource with a status subresource (upstream's PrepareForUpdate of the
// resource's strategy and of its status strategy). With `hasStatus` the generic store already gives main-resource
// writes keepStatus; strategies name one of these for their /status writes.
import type { KubeObject } from '../../api/object.js';
import { clone } from './object-meta.js';

/** A main-resource write keeps the stored status. */
export function keepStatus(newObj: KubeObject, oldObj: KubeObject): void {
  newObj.status = clone(oldObj.status);
}

/** A /status write keeps the stored spec (metadata changes go through). */
export function keepSpec(newObj: KubeObject, oldObj: KubeObject): void {
  newObj.spec = clone(oldObj.spec);
}

/** A /status write keeps everything but status from the stored object. */
export function keepAllButStatus(newObj: KubeObject, oldObj: KubeObject): void {
  const status = newObj.status;
  for (const k of Object.keys(newObj)) if (k !== 'status') delete newObj[k];
  Object.assign(newObj, structuredClone(oldObj));
  newObj.status = status;
}
