// metrics.k8s.io/v1beta1 nodes and pods (NodeMetrics, PodMetrics): read-only views of the metrics server's latest
// samples (api/metrics.ts), never stored; handlers/metrics.ts answers them. The Table is metrics-server's:
// NAME CPU MEMORY WINDOW (a pod's figures summed over its containers).
import { quantityNumber } from '../../../api/quantity.js';
import type { KubeObject } from '../../../api/object.js';
import type { ResourceDefinition, TableColumn } from '../types.js';
import { resources } from '../../../api/resources.js';

const columns: TableColumn[] = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name of the resource', priority: 0 },
  { name: 'CPU', type: 'string', format: '', description: 'CPU usage', priority: 0 },
  { name: 'Memory', type: 'string', format: '', description: 'Memory usage', priority: 0 },
  { name: 'Window', type: 'string', format: '', description: 'Window used to compute the usage', priority: 0 },
];

const amount = (q: unknown) => quantityNumber(q) || 0;
const cpu = (cores: number) => `${Math.round(cores * 1000)}m`;
const memory = (bytes: number) => `${Math.round(bytes / 1024)}Ki`;

function podUsage(o: KubeObject): { cpu: number; memory: number } {
  let c = 0, m = 0;
  for (const x of (o.containers ?? []) as Array<{ usage?: Record<string, unknown> }>) { c += amount(x.usage?.cpu); m += amount(x.usage?.memory); }
  return { cpu: c, memory: m };
}

export const nodeMetrics: ResourceDefinition = {
  ...resources.nodeMetrics, metrics: 'nodes',
  strategy: { table: { columns, row: (o) => [o.metadata?.name, cpu(amount(o.usage?.cpu)), memory(amount(o.usage?.memory)), o.window ?? ''] } },
};
export const podMetrics: ResourceDefinition = {
  ...resources.podMetrics, metrics: 'pods',
  strategy: { table: { columns, row: (o) => { const u = podUsage(o); return [o.metadata?.name, cpu(u.cpu), memory(u.memory), o.window ?? '']; } } },
};
