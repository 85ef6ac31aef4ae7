// Pieces shared by the server-side Table printers (upstream pkg/printers/internalversion/printers.go).
// kube-apiserver always generates Tables with Wide=true, so row() functions return every column's cell.
import type { TableColumn } from './types.js';

export const DESCRIPTIONS = {
  name: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  creationTimestamp: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
  containers: 'Names of each container in the template.',
  images: 'Images referenced by each container in the template.',
};

/** A column as upstream declares it; format is "" unless given, priority 0 unless given. */
export function column(name: string, type: TableColumn['type'], description: string, opts: { priority?: number; format?: string } = {}): TableColumn {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}
export const nameColumn = (): TableColumn => column('Name', 'string', DESCRIPTIONS.name, { format: 'name' });
export const ageColumn = (): TableColumn => column('Age', 'string', DESCRIPTIONS.creationTimestamp);

/** The Containers and Images columns of every printer of an object holding a pod template (wide: priority 1), filled by layoutContainerCells. */
export const containerColumns = (priority = 1): TableColumn[] => [
  column('Containers', 'string', DESCRIPTIONS.containers, { priority }),
  column('Images', 'string', DESCRIPTIONS.images, { priority }),
];

/** layoutContainerCells: container names and images, comma-joined. */
export function layoutContainerCells(containers: any[] | undefined): [string, string] {
  const cs = containers ?? [];
  return [cs.map((c) => c?.name ?? '').join(','), cs.map((c) => c?.image ?? '').join(',')];
}
