// The kubelet's Prometheus endpoints (prom-client, a registry per kubelet server) with upstream's names:
//  - GET /metrics: the kubelet's own families, kubelet_running_pods and kubelet_running_containers by state;
//  - GET /metrics/cadvisor: the containers' container_cpu_usage_seconds_total (cpu="total") and
//    container_memory_working_set_bytes, plus the pods' (container="", as cAdvisor's pod cgroups), and the node's
//    machine_cpu_cores and machine_memory_bytes.
// Both read one Summary (stats-provider.ts) per scrape, on demand: nothing is collected between scrapes.
// cAdvisor's id, image and name labels are not given (the Summary carries no cgroup path or image).
import os from 'node:os';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Summary } from './summary.js';

export interface KubeletRegistries { kubelet: Registry; cadvisor: Registry }

export function kubeletRegistries(stats: () => Promise<Summary>): KubeletRegistries {
  const kubelet = new Registry();
  const cadvisor = new Registry();
  // One Summary per scrape, shared by a registry's families (prom-client collects them concurrently).
  const scrape = () => {
    let last: Promise<Summary> | undefined;
    return () => (last ??= stats().finally(() => setImmediate(() => { last = undefined; })));
  };
  const forKubelet = scrape();
  const forCadvisor = scrape();

  new Gauge({ name: 'kubelet_running_pods', help: '[ALPHA] Number of pods that have a running pod sandbox', registers: [kubelet],
    async collect() { this.set((await forKubelet()).pods.length); } });
  new Gauge({ name: 'kubelet_running_containers', help: '[ALPHA] Number of containers currently running', labelNames: ['container_state'], registers: [kubelet],
    async collect() { this.set({ container_state: 'running' }, (await forKubelet()).pods.reduce((n, p) => n + p.containers.length, 0)); } });

  new Counter({ name: 'container_cpu_usage_seconds_total', help: 'Cumulative cpu time consumed in seconds.',
    labelNames: ['container', 'cpu', 'namespace', 'pod'], registers: [cadvisor],
    async collect() {
      this.reset();
      for (const p of (await forCadvisor()).pods) {
        const { name: pod, namespace } = p.podRef;
        if (p.cpu?.usageCoreNanoSeconds !== undefined) this.inc({ container: '', cpu: 'total', namespace, pod }, p.cpu.usageCoreNanoSeconds / 1e9);
        for (const c of p.containers) {
          if (c.cpu?.usageCoreNanoSeconds !== undefined) this.inc({ container: c.name, cpu: 'total', namespace, pod }, c.cpu.usageCoreNanoSeconds / 1e9);
        }
      }
    } });
  new Gauge({ name: 'container_memory_working_set_bytes', help: 'Current working set in bytes.',
    labelNames: ['container', 'namespace', 'pod'], registers: [cadvisor],
    async collect() {
      this.reset();
      for (const p of (await forCadvisor()).pods) {
        const { name: pod, namespace } = p.podRef;
        if (p.memory?.workingSetBytes !== undefined) this.set({ container: '', namespace, pod }, p.memory.workingSetBytes);
        for (const c of p.containers) {
          if (c.memory?.workingSetBytes !== undefined) this.set({ container: c.name, namespace, pod }, c.memory.workingSetBytes);
        }
      }
    } });
  new Gauge({ name: 'machine_cpu_cores', help: 'Number of logical CPU cores.', registers: [cadvisor], collect() { this.set(os.cpus().length); } });
  new Gauge({ name: 'machine_memory_bytes', help: 'Amount of memory installed on the machine.', registers: [cadvisor], collect() { this.set(os.totalmem()); } });
  return { kubelet, cadvisor };
}
