// Server-set object metadata (uid, timestamps, resourceVersion, generation) as upstream's rest.BeforeCreate /
// BeforeUpdate set them. Resource-specific parts live in each strategy.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../api/object.js';

/** RFC 3339 with second precision, as metav1.Time marshals. */
export function timestamp(d: Date): string { return d.toISOString().replace(/\.\d{3}Z$/, 'Z'); }

export function fillCreateMeta(obj: KubeObject, now: Date): void {
  const m = obj.metadata;
  m.uid = randomUUID();
  m.creationTimestamp = timestamp(now);
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
}

/** Fields a client may not change through update: carried over from the stored object. */
export function keepImmutableMeta(next: KubeObject, old: KubeObject): void {
  const m = next.metadata, o = old.metadata;
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  m.namespace = o.namespace;
  m.name = o.name;
  if (o.deletionTimestamp) { m.deletionTimestamp = o.deletionTimestamp; m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds; }
  else { delete m.deletionTimestamp; delete m.deletionGracePeriodSeconds; }
  if (o.generation !== undefined) m.generation = o.generation; else delete m.generation;
  delete m.selfLink;
}

/**
 * JSON equality ignoring key order, with keys whose value is undefined treated as absent (as after a JSON round
 * trip). Exits at the first difference; no intermediate strings.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>, bo = b as Record<string, unknown>;
  let n = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    n++;
    if (!deepEqual(ao[k], bo[k])) return false;
  }
  for (const k in bo) if (bo[k] !== undefined) n--;
  return n === 0;
}

/** Whether two objects differ outside metadata and status (the "spec" in the generation sense). */
export function specChanged(a: KubeObject, b: KubeObject): boolean {
  const skip = (k: string) => k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind';
  for (const k in a) if (!skip(k) && !deepEqual(a[k], b[k])) return true;
  for (const k in b) if (!skip(k) && a[k] === undefined && b[k] !== undefined) return true;
  return false;
}

export function clone<T>(v: T): T { return v === undefined ? v : structuredClone(v); }
