// Server-side printing: meta.k8s.io/v1 Tables for `kubectl get` (rows carry PartialObjectMetadata, which kubectl
// needs for -A and --show-labels).
import type { KubeObject } from '../api/object.js';
import type { ResourceDefinition, TableColumn } from './registry/types.js';
import { timestamp } from './registry/object-meta.js';

const defaultColumns: TableColumn[] = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.', priority: 0 },
  { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
];

export function partialObjectMetadata(o: KubeObject) {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export function tableColumns(def: ResourceDefinition): TableColumn[] {
  return def.strategy.table?.columns ?? defaultColumns;
}

/**
 * What each row carries in `object` (the `includeObject` query parameter): PartialObjectMetadata by default, the
 * whole object (what `kubectl get --sort-by` needs), or nothing.
 */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function tableRow(def: ResourceDefinition, o: KubeObject, now: Date, include: IncludeObject = 'Metadata') {
  const cells = def.strategy.table ? def.strategy.table.row(o, now) : [o.metadata.name, o.metadata.creationTimestamp ?? timestamp(now)];
  if (include === 'None') return { cells };
  if (include === 'Object') {
    const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
    return { cells, object: { ...o, apiVersion, kind: def.kind } };
  }
  return { cells, object: partialObjectMetadata(o) };
}

export function toTable(def: ResourceDefinition, items: KubeObject[], meta: { resourceVersion?: string; continue?: string; remainingItemCount?: number }, now: Date, withColumns = true, include: IncludeObject = 'Metadata') {
  const m: Record<string, unknown> = {};
  if (meta.resourceVersion) m.resourceVersion = meta.resourceVersion;
  if (meta.continue) m.continue = meta.continue;
  if (meta.remainingItemCount !== undefined) m.remainingItemCount = meta.remainingItemCount;
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: m,
    columnDefinitions: withColumns ? tableColumns(def) : null,
    rows: (def.strategy.table?.sort ? [...items].sort(def.strategy.table.sort) : items).map((o) => tableRow(def, o, now, include)),
  };
}
