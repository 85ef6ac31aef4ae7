// Server-set object metadata (uid, timestamps, resourceVersion, generation) as upstream's rest.BeforeCreate /
// BeforeUpdate set them. Resource-specific parts live in each strategy.
import { randomUUID } from 'node:crypto';
import type { KObject } from './types.js';

/** RFC 3339 with second precision, as metav1.Time marshals. */
export function timestamp(d: Date): string { return d.toISOString().replace(/\.\d{3}Z$/, 'Z'); }

export function fillCreateMeta(obj: KObject, now: Date): void {
  const m = obj.metadata;
  m.uid = randomUUID();
  m.creationTimestamp = timestamp(now);
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
}

/** Fields a client may not change through update: carried over from the stored object. */
export function keepImmutableMeta(next: KObject, old: KObject): void {
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

/** Everything but metadata and status: a change here bumps metadata.generation. */
export function specOf(obj: KObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return stableStringify(rest);
}

export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return '[' + v.map(stableStringify).join(',') + ']';
  const keys = Object.keys(v as object).filter((k) => (v as any)[k] !== undefined).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + stableStringify((v as any)[k])).join(',') + '}';
}

export function deepEqual(a: unknown, b: unknown): boolean { return stableStringify(a) === stableStringify(b); }

export function clone<T>(v: T): T { return v === undefined ? v : structuredClone(v); }
