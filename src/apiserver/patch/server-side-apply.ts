// Server-side apply (Content-Type application/apply-patch+yaml): upstream's merge.Updater.Apply from
// sigs.k8s.io/structured-merge-diff, driven by our schema, with the apiserver's field manager wrappers that
// matter to users (identity fields unowned, "before-first-apply", 10-Update-manager cap).
//
// Steps, as upstream:
// 1. the applier's new field set is the set of the applied configuration (ToFieldSet);
// 2. the configuration is merged into the live object (maps by key, map-lists by their keys, atomic values
//    replaced);
// 3. fields the applier owned before but no longer applies, and that no other manager owns, are removed;
// 4. the change from live to result is compared with every other manager's fields: another manager's field
//    whose value changes (or appears) is a conflict → 409 unless force, in which case the applier takes it;
//    fields applied with the value already there become shared.
// 5. kubectl's own apply (manager "kubectl") may take over, without a conflict, the fields a client-side apply
//    left: those its last-applied-configuration annotation still holds with their live values (upstream's
//    lastAppliedManager, the CSA → SSA upgrade; kubectl then moves the client-side apply entry over itself).
//    An existing annotation is kept in step with what kubectl applied (upstream's lastAppliedUpdater).
// Simplified: no conversion between API versions of managers' sets, no union (discriminator) normalization.
import type { SchemaModel, SchemaNode } from '../../api/schema/types.js';
import { applyConflict, badRequest, type StatusError } from '../../api/errors.js';
import { FieldSet, formatPath, type FieldPath } from './field-set.js';
import { TypedWalker, TypedValueError } from './typed-value.js';
import {
  capUpdateManagers, decodeManagedFields, emptyObjectLike, encodeManagedFields, formatTime, managerKey, stripManagers,
  withoutManagedFields, type ManagedFieldsEntry, type ManagerFields,
} from './managed-fields.js';
import { isPlainObject, jsonEqual, patchServerError } from './patch-errors.js';

export const BEFORE_FIRST_APPLY_MANAGER = 'before-first-apply';

export interface ApplyOptions {
  /** The stored object, or undefined when apply creates it. */
  live: object | undefined;
  /** The apply configuration (parsed YAML/JSON). */
  applied: object;
  manager: string;
  force: boolean;
  schema: SchemaNode | undefined;
  model: SchemaModel;
  now: Date;
  /** The request's group/version; when given, the configuration's apiVersion must equal it. */
  apiVersion?: string;
  /** Subresource being applied to, if any (recorded on the entry). */
  subresource?: string;
  /** Paths nobody may own through this write, e.g. [['f:status']] for main-resource applies (reset fields). */
  ignoredPaths?: FieldPath[];
}

export interface ApplyResult {
  /** The object to store; its metadata.managedFields equals `managedFields`. */
  result: Record<string, unknown>;
  managedFields: ManagedFieldsEntry[];
  /** False when the object's content did not change (upstream then leaves the applier's time unchanged). */
  changed: boolean;
}

interface Conflict { manager: ManagerFields; path: FieldPath }

export function applyServerSide(opts: ApplyOptions): ApplyResult {
  const applied = opts.applied as Record<string, unknown>;
  if (!isPlainObject(applied)) throw badRequest('the apply configuration must be an object');
  const appliedVersion = typeof applied.apiVersion === 'string' ? applied.apiVersion : '';
  if (opts.apiVersion !== undefined && appliedVersion !== opts.apiVersion) {
    throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${appliedVersion}, expected: ${opts.apiVersion}`);
  }
  if (isPlainObject(applied.metadata) && applied.metadata.managedFields !== undefined && applied.metadata.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const walker = new TypedWalker(opts.model);
  const version = appliedVersion || opts.apiVersion || '';
  let managers: Map<string, ManagerFields>;
  try {
    managers = decodeManagedFields((opts.live as { metadata?: { managedFields?: unknown } } | undefined)?.metadata?.managedFields);
  } catch (err) {
    throw patchServerError(`failed to decode managed fields: ${(err as Error).message}`);
  }
  const live = withoutManagedFields(opts.live ?? {});

  try {
    // An object nobody tracked yet is owned, field by field, by "before-first-apply".
    if (opts.live !== undefined && managers.size === 0 && Object.keys(live).length > 0) {
      const set = walker.compare(emptyObjectLike(live), live, opts.schema);
      const m: ManagerFields = { manager: BEFORE_FIRST_APPLY_MANAGER, operation: 'Update', apiVersion: version,
        time: formatTime(opts.now), set: set.added.union(set.modified) };
      managers.set(managerKey(m), m);
      stripManagers(managers, opts.ignoredPaths);
    }

    const self: ManagerFields = { manager: opts.manager, operation: 'Apply', apiVersion: version, subresource: opts.subresource, set: new FieldSet() };
    const selfKey = managerKey(self);
    const previous = managers.get(selfKey);
    const lastSet = previous?.set ?? new FieldSet();
    const config = withoutManagedFields(applied);
    // Identity fields stay in the set while merging (so pruning never touches metadata); stripped at the end.
    const newSet = walker.toFieldSet(config, opts.schema).without(opts.ignoredPaths ?? []);
    let merged = walker.merge(live, config, opts.schema) as Record<string, unknown>;

    // Prune what the applier dropped from its configuration and nobody else owns.
    if (!lastSet.isEmpty()) {
      let owned = newSet;
      for (const [k, m] of managers) if (k !== selfKey) owned = owned.union(m.set);
      const toRemove = lastSet.withAncestors().difference(owned.withAncestors());
      if (!toRemove.isEmpty()) merged = walker.removePaths(merged, toRemove, opts.schema) as Record<string, unknown>;
    }

    const diff = walker.compare(live, merged, opts.schema);
    const changedPaths = diff.modified.union(diff.added);
    const conflicts: Conflict[] = [];
    for (const [k, m] of managers) {
      if (k === selfKey) continue;
      for (const path of m.set.intersection(changedPaths).paths()) conflicts.push({ manager: m, path });
    }
    if (conflicts.length > 0 && !opts.force) {
      // Upstream's lastAppliedManager: kubectl's server-side apply takes over, without a conflict, the fields the
      // client-side apply annotation still describes as they are (the CSA → SSA upgrade).
      const allowed = opts.manager === LAST_APPLIED_UPGRADE_MANAGER ? allowedConflictsFromLastApplied(walker, live, version, opts.schema) : undefined;
      const remaining = allowed ? conflicts.filter((c) => !allowed.has(c.path)) : conflicts;
      if (remaining.length > 0) throw conflictError(remaining);
    }
    for (const [k, m] of managers) {
      if (k === selfKey) continue;
      m.set = m.set.difference(changedPaths).difference(diff.removed);
    }

    if (opts.manager === LAST_APPLIED_UPGRADE_MANAGER) syncLastApplied(merged, config);

    const changed = !jsonEqual(live, merged) || opts.live === undefined;
    managers.set(selfKey, { ...self, set: newSet, time: changed || !previous?.time ? formatTime(opts.now) : previous.time });
    stripManagers(managers, opts.ignoredPaths, selfKey);
    capUpdateManagers(managers);
    const managedFields = encodeManagedFields(managers);
    if (!isPlainObject(merged.metadata)) merged.metadata = {};
    (merged.metadata as Record<string, unknown>).managedFields = managedFields;
    return { result: merged, managedFields, changed };
  } catch (err) {
    if (err instanceof TypedValueError) {
      const meta = (isPlainObject(applied.metadata) ? applied.metadata : {}) as Record<string, unknown>;
      const name = [meta.namespace, meta.name].filter(Boolean).join('/');
      throw patchServerError(`failed to create typed patch object (${appliedVersion}, Kind=${String(applied.kind ?? '')}) ${name}: ${err.message}`);
    }
    throw err;
  }
}

/** Only kubectl's own server-side apply is upgraded from client-side apply (another manager opts out). */
const LAST_APPLIED_UPGRADE_MANAGER = 'kubectl';
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The fields the live object's last-applied-configuration annotation (client-side apply's record) holds with the
 * values they still have: those in the annotation minus what differs from, or is missing in, the live object.
 * Undefined when there is no usable annotation (none, not JSON, another apiVersion).
 */
function allowedConflictsFromLastApplied(walker: TypedWalker, live: Record<string, unknown>, version: string, schema: SchemaNode | undefined): FieldSet | undefined {
  const annotations = isPlainObject(live.metadata) ? live.metadata.annotations : undefined;
  const text = isPlainObject(annotations) ? annotations[LAST_APPLIED_ANNOTATION] : undefined;
  if (typeof text !== 'string' || text === '') return undefined;
  let lastApplied: unknown;
  try { lastApplied = JSON.parse(text); } catch { return undefined; }
  if (!isPlainObject(lastApplied) || lastApplied.apiVersion !== version) return undefined;
  try {
    const set = walker.toFieldSet(lastApplied, schema);
    const cmp = walker.compare(lastApplied, live, schema);
    return set.difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
  } catch (err) {
    if (err instanceof TypedValueError) return undefined;
    throw err;
  }
}

/** Upstream's total annotation size limit (ValidateAnnotationsSize): 256 KiB. */
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/**
 * Upstream's lastAppliedUpdater: kubectl's server-side apply keeps an existing last-applied-configuration
 * annotation in step with what it applied (the configuration without that annotation, encoded as Go encodes an
 * unstructured object: keys sorted, a trailing newline), so a later client-side apply diffs against it. Left
 * out when the annotations would exceed their size limit.
 */
function syncLastApplied(merged: Record<string, unknown>, config: Record<string, unknown>): void {
  const annotations = isPlainObject(merged.metadata) ? merged.metadata.annotations : undefined;
  if (!isPlainObject(annotations) || typeof annotations[LAST_APPLIED_ANNOTATION] !== 'string' || annotations[LAST_APPLIED_ANNOTATION] === '') return;
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  if (isPlainObject(copy.metadata) && isPlainObject(copy.metadata.annotations)) delete copy.metadata.annotations[LAST_APPLIED_ANNOTATION];
  annotations[LAST_APPLIED_ANNOTATION] = sortedJson(copy) + '\n';
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += k.length + String(v).length;
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) delete annotations[LAST_APPLIED_ANNOTATION];
}

/** JSON with every object's keys sorted and <, >, & escaped, as Go's encoding/json writes a map. */
function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(sortedJson).join(',') + ']';
  if (isPlainObject(v)) return '{' + Object.keys(v).sort().map((k) => goString(k) + ':' + sortedJson(v[k])).join(',') + '}';
  return typeof v === 'string' ? goString(v) : JSON.stringify(v) ?? 'null';
}

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** printManager: `"name"`, plus ` with subresource "x"` and, for Update entries, ` using <apiVersion>`. */
function printManager(m: ManagerFields): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

/** upstream internal.NewConflictError: 409 Conflict, one FieldManagerConflict cause per field. */
export function conflictError(conflicts: Conflict[]): StatusError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: formatPath(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${formatPath(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const k = printManager(c.manager);
      byManager.set(k, [...(byManager.get(k) ?? []), formatPath(c.path)]);
    }
    const lines: string[] = [];
    for (const k of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${k}:`);
      for (const p of byManager.get(k)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return applyConflict(message, causes);
}
