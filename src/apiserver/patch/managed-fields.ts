// metadata.managedFields: which field manager owns which fields (k8s.io/apiserver/pkg/endpoints/handlers/
// fieldmanager + sigs.k8s.io/structured-merge-diff). This file holds the entry bookkeeping shared by apply and
// by ordinary writes, and `updateManagedFields` for the latter (create, update, non-apply patch).
//
// What an Update (non-apply) write records, as upstream: the writer's entry (one per manager, apiVersion and
// subresource, operation "Update") gains every field the write added or changed and gets the write's time;
// fields the write removed leave every entry; fields it changed leave other managers' entries (an update
// always wins). Entries that end up empty disappear. More than 10 Update entries are folded, oldest first,
// into "ancient-changes". Identity fields (apiVersion, kind, metadata.name/namespace/uid/...) are never owned.
import type { SchemaModel, SchemaNode } from '../../api/schema/types.js';
import { FieldSet, type FieldPath } from './field-set.js';
import { TypedWalker, TypedValueError } from './typed-value.js';
import { cloneJson, isPlainObject, jsonEqual, patchServerError } from './patch-errors.js';
import { createdFieldsV1 } from './created-fields.js';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** One manager's ownership while we compute (decoded from / encoded to a ManagedFieldsEntry). */
export interface ManagerFields {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** Upstream's manager identity: Apply entries by (manager, subresource); Update entries also by apiVersion. */
export function managerKey(m: Pick<ManagerFields, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify([m.manager, m.operation, m.operation === 'Update' ? m.apiVersion : '', m.subresource ?? '']);
}

/** Fields nobody owns (upstream stripmeta.go). */
export const UNOWNED_FIELDS: FieldPath[] = [
  ['f:apiVersion'], ['f:kind'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']
    .map((f) => ['f:metadata', `f:${f}`]),
];

/** Upstream's DefaultMaxUpdateManagers and the name of the bucket older updates fold into. */
export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES_MANAGER = 'ancient-changes';

/** metav1.Time's wire form: RFC 3339 in UTC, whole seconds. */
export function formatTime(now: Date): string {
  const ms = now.getTime();
  if (ms - lastTime.second >= 0 && ms - lastTime.second < 1000) return lastTime.text;
  const text = now.toISOString().replace(/\.\d+Z$/, 'Z');
  if (Number.isFinite(ms)) lastTime = { second: ms - (((ms % 1000) + 1000) % 1000), text };
  return text;
}
/** The last second formatted: the writes of one second share it. */
let lastTime = { second: NaN, text: '' };

/** Decodes entries; throws a plain Error when one is malformed. */
export function decodeManagedFields(entries: unknown): Map<string, ManagerFields> {
  const out = new Map<string, ManagerFields>();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  for (const raw of entries as unknown[]) {
    if (!isPlainObject(raw)) throw new Error('managedFields entries must be objects');
    const e = raw as ManagedFieldsEntry;
    if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType "${e.fieldsType}"`);
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error(`invalid operation "${String(e.operation)}"`);
    const m: ManagerFields = {
      manager: e.manager ?? '', operation: e.operation, apiVersion: e.apiVersion ?? '',
      subresource: e.subresource || undefined, time: e.time, set: FieldSet.fromFieldsV1(e.fieldsV1 ?? {}),
    };
    out.set(managerKey(m), m);
  }
  return out;
}

/** Encodes entries in upstream's order: Apply before Update, then by time, manager, apiVersion, subresource. */
export function encodeManagedFields(managers: Map<string, ManagerFields>): ManagedFieldsEntry[] {
  const list = [...managers.values()].filter((m) => !m.set.isEmpty());
  const seconds = new Map<string | undefined, number>();
  for (const m of list) if (!seconds.has(m.time)) seconds.set(m.time, m.time ? Math.floor(Date.parse(m.time) / 1000) : 0);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  list.sort((p, q) => cmp(p.operation, q.operation) || seconds.get(p.time)! - seconds.get(q.time)! || cmp(p.manager, q.manager) ||
    cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource ?? '', q.subresource ?? ''));
  return list.map((m) => {
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = m.set.toFieldsV1();
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

/**
 * Removes the unowned identity fields from every manager, and `ignored` paths (the write's reset fields) from the
 * manager `onlyKey` when given (upstream's IgnoredFields apply to the writer only: a status write must not take
 * spec ownership away from the spec's appliers); drops empty managers.
 */
export function stripManagers(managers: Map<string, ManagerFields>, ignored: FieldPath[] = [], onlyKey?: string): void {
  for (const [k, m] of managers) {
    m.set = m.set.without(onlyKey === undefined || k === onlyKey ? [...UNOWNED_FIELDS, ...ignored] : UNOWNED_FIELDS);
    if (m.set.isEmpty()) managers.delete(k);
  }
}

/** upstream capManagersManager: folds the oldest Update entries into per-apiVersion "ancient-changes" buckets. */
export function capUpdateManagers(managers: Map<string, ManagerFields>, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...managers.entries()].filter(([, m]) => m.operation === 'Update');
  if (updaters.length <= max) return;
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  updaters.sort(([ka, a], [kb, b]) => seconds(a.time) - seconds(b.time) || (ka < kb ? -1 : ka > kb ? 1 : 0));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (const [key, m] of updaters) {
    if (length <= max) break;
    const bucket = { manager: ANCIENT_CHANGES_MANAGER, operation: 'Update' as const, apiVersion: m.apiVersion };
    const bucketKey = managerKey(bucket);
    const first = firstByVersion.get(m.apiVersion);
    if (first === undefined) { firstByVersion.set(m.apiVersion, key); continue; }
    if (!managers.has(bucketKey)) {
      const f = managers.get(first)!;
      managers.delete(first);
      managers.set(bucketKey, { ...bucket, time: f.time, set: f.set });
    }
    const b = managers.get(bucketKey)!;
    managers.set(bucketKey, { ...b, set: b.set.union(m.set), time: m.time });
    managers.delete(key);
    length--;
  }
}

/** UNOWNED_FIELDS and the write's own paths to ignore, made once per list of the latter (callers keep theirs). */
const ignoredLists = new WeakMap<FieldPath[], FieldPath[]>();
const unownedOnly: FieldPath[] = [...UNOWNED_FIELDS];
function ignoredWith(extra: FieldPath[] | undefined): FieldPath[] {
  if (!extra || extra.length === 0) return unownedOnly;
  let list = ignoredLists.get(extra);
  if (!list) { list = [...UNOWNED_FIELDS, ...extra]; ignoredLists.set(extra, list); }
  return list;
}

/** The object without metadata.managedFields, for comparing and merging object content. */
export function withoutManagedFields(obj: unknown): Record<string, unknown> {
  const o = cloneJson((obj ?? {}) as Record<string, unknown>);
  if (isPlainObject(o.metadata)) delete o.metadata.managedFields;
  return o;
}

/**
 * The object without metadata.managedFields, sharing everything else with `obj`: for reading only (comparing),
 * where a deep copy would be wasted work.
 */
function contentView(obj: unknown): Record<string, unknown> {
  const o = (obj ?? {}) as Record<string, unknown>;
  if (!isPlainObject(o.metadata) || !Object.prototype.hasOwnProperty.call(o.metadata, 'managedFields')) return o;
  const { managedFields: _, ...metadata } = o.metadata;
  return { ...o, metadata };
}

/**
 * Upstream compares against an empty Go struct on create, which serializes `metadata`, `spec` and `status` as
 * present; mirroring that keeps "." (ownership of the node itself) off those three, as upstream shows.
 */
export function emptyObjectLike(obj: Record<string, unknown>): Record<string, unknown> {
  const empty: Record<string, unknown> = {};
  for (const k of ['metadata', 'spec', 'status']) if (isPlainObject(obj[k])) empty[k] = {};
  return empty;
}

export interface UpdateManagedFieldsOptions {
  /** The stored object before the write; undefined on create. */
  old: object | undefined;
  /** The object about to be stored. A non-empty managedFields on it replaces the old one, as upstream. */
  updated: object;
  manager: string;
  operation?: 'Update';
  /** The request's group/version, e.g. "apps/v1". */
  apiVersion: string;
  now: Date;
  schema: SchemaNode | undefined;
  model: SchemaModel;
  /** e.g. "status" or "scale" for writes to a subresource. */
  subresource?: string;
  /** Paths nobody may own through this write, e.g. [['f:status']] for main-resource writes (reset fields). */
  ignoredPaths?: FieldPath[];
}

/**
 * The managedFields to store with `updated` (input objects are not modified). Upstream details kept:
 * `managedFields: [{}]` in the request clears tracking; an existing object without managedFields stays untracked.
 */
export function updateManagedFields(opts: UpdateManagedFieldsOptions): ManagedFieldsEntry[] {
  const requested = (opts.updated as { metadata?: { managedFields?: unknown } }).metadata?.managedFields;
  const previous = (opts.old as { metadata?: { managedFields?: unknown } } | undefined)?.metadata?.managedFields;
  if (Array.isArray(requested) && requested.length === 1 && isPlainObject(requested[0]) && Object.keys(requested[0]).length === 0) {
    return [];
  }
  let managers: Map<string, ManagerFields>;
  // A subresource write never takes the request's entries (so their comparison is skipped).
  const useRequested = !opts.subresource && Array.isArray(requested) && requested.length > 0 && !jsonEqual(requested, previous);
  try {
    managers = decodeManagedFields(useRequested ? requested : previous);
  } catch {
    try { managers = decodeManagedFields(previous); } catch { return []; }
  }
  // Upstream does not start tracking on updates of an existing object that has none.
  if (opts.old !== undefined && managers.size === 0) return [];

  // Read-only views: compare never modifies its inputs, so no copies.
  const newContent = contentView(opts.updated);
  const ignored = ignoredWith(opts.ignoredPaths);
  if (opts.old === undefined && managers.size === 0) {
    // A create with no entries before: the writer's entry alone, built in one walk (created-fields.ts).
    let fieldsV1;
    try {
      fieldsV1 = createdFieldsV1(opts.model, newContent, opts.schema, ignored);
    } catch (err) {
      if (err instanceof TypedValueError) throw patchServerError(`failed to update managedFields: ${err.message}`);
      throw err;
    }
    if (fieldsV1 !== undefined) {
      if (isEmptyFieldsV1(fieldsV1)) return [];
      const e: ManagedFieldsEntry = { manager: opts.manager, operation: 'Update', apiVersion: opts.apiVersion, time: formatTime(opts.now), fieldsType: 'FieldsV1', fieldsV1 };
      if (opts.subresource) e.subresource = opts.subresource;
      return [e];
    }
  }
  const oldContent = opts.old === undefined ? emptyObjectLike(newContent) : contentView(opts.old);
  let diff;
  try {
    diff = new TypedWalker(opts.model).compare(oldContent, newContent, opts.schema);
  } catch (err) {
    if (err instanceof TypedValueError) throw patchServerError(`failed to update managedFields: ${err.message}`);
    throw err;
  }
  const changed = diff.added.union(diff.modified).without(ignored);
  const removed = diff.removed;

  const self = { manager: opts.manager, operation: 'Update' as const, apiVersion: opts.apiVersion, subresource: opts.subresource };
  const selfKey = managerKey(self);
  for (const [k, m] of managers) {
    if (k === selfKey) continue;
    m.set = m.set.difference(changed).difference(removed);
  }
  const prev = managers.get(selfKey);
  let set = (prev?.set ?? new FieldSet()).difference(removed);
  let time = prev?.time;
  if (!changed.isEmpty()) {
    set = set.union(changed);
    time = formatTime(opts.now);
  }
  managers.set(selfKey, { ...self, time, set });
  stripManagers(managers, opts.ignoredPaths, selfKey);
  capUpdateManagers(managers);
  return encodeManagedFields(managers);
}

function isEmptyFieldsV1(o: Record<string, unknown>): boolean {
  for (const _ in o) return false;
  return true;
}

/**
 * The field manager of a request without `fieldManager`: upstream takes the User-Agent up to its first "/",
 * keeps printable characters and cuts at 128 bytes (e.g. "kubectl/v1.32.0 (linux/amd64)" → "kubectl").
 */
export function defaultFieldManager(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0];
  let out = '';
  for (const ch of prefix) {
    if (!/[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch)) continue;
    if (Buffer.byteLength(out + ch) > 128) break;
    out += ch;
  }
  return out;
}
