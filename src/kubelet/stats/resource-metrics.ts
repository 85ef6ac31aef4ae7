// GET /metrics/resource (upstream's kubelet resource metrics endpoint, which metrics-server scrapes): the Summary's
// cumulative CPU and working sets in the Prometheus text format, with upstream's metric names, labels and HELP
// texts, each sample stamped with the time it was read (prom-client cannot stamp samples, hence this small writer).
import type { Summary } from './summary.js';

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const ms = (time: string) => Date.parse(time);

export function resourceMetricsText(s: Summary): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string, rows: Array<[Record<string, string>, number | undefined, string]>) => {
    out.push(`# HELP ${name} [STABLE] ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value, time] of rows) {
      if (value === undefined) continue;
      const l = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`).join(',');
      const stamp = Number.isFinite(ms(time)) ? ` ${ms(time)}` : '';
      out.push(`${name}${l ? `{${l}}` : ''} ${value}${stamp}`);
    }
  };
  const containers = s.pods.flatMap((p) => p.containers.map((c) => ({ labels: { container: c.name, namespace: p.podRef.namespace, pod: p.podRef.name }, c })));
  family('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the container in core-seconds',
    containers.map(({ labels, c }) => [labels, c.cpu?.usageCoreNanoSeconds !== undefined ? c.cpu.usageCoreNanoSeconds / 1e9 : undefined, c.cpu?.time ?? '']));
  family('container_memory_working_set_bytes', 'gauge', 'Current working set of the container in bytes',
    containers.map(({ labels, c }) => [labels, c.memory?.workingSetBytes, c.memory?.time ?? '']));
  family('container_start_time_seconds', 'gauge', 'Start time of the container since unix epoch in seconds',
    containers.map(({ labels, c }) => [labels, ms(c.startTime) / 1000, c.startTime]));
  family('node_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the node in core-seconds',
    [[{}, s.node.cpu?.usageCoreNanoSeconds !== undefined ? s.node.cpu.usageCoreNanoSeconds / 1e9 : undefined, s.node.cpu?.time ?? '']]);
  family('node_memory_working_set_bytes', 'gauge', 'Current working set of the node in bytes',
    [[{}, s.node.memory?.workingSetBytes, s.node.memory?.time ?? '']]);
  const pods = s.pods.map((p) => ({ labels: { namespace: p.podRef.namespace, pod: p.podRef.name }, p }));
  family('pod_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the pod in core-seconds',
    pods.map(({ labels, p }) => [labels, p.cpu?.usageCoreNanoSeconds !== undefined ? p.cpu.usageCoreNanoSeconds / 1e9 : undefined, p.cpu?.time ?? '']));
  family('pod_memory_working_set_bytes', 'gauge', 'Current working set of the pod in bytes',
    pods.map(({ labels, p }) => [labels, p.memory?.workingSetBytes, p.memory?.time ?? '']));
  family('scrape_error', 'gauge', '1 if there was an error while getting container metrics, 0 otherwise', [[{}, 0, '']]);
  return out.join('\n') + '\n';
}
