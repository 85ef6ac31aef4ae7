// The kubelet's /metrics and /metrics/cadvisor families, read from the Summary when scraped.
import assert from 'node:assert/strict';
import test from 'node:test';
import { kubeletRegistries } from './kubelet-metrics.js';
import type { Summary } from './summary.js';

test('cAdvisor\'s container CPU and working set per container and pod, and the kubelet\'s running pods, from one Summary per scrape', async () => {
  const t = '2026-01-02T03:04:05Z';
  let reads = 0;
  const summary: Summary = {
    node: { nodeName: 'n', startTime: t },
    pods: [{ podRef: { name: 'web', namespace: 'default', uid: 'u' }, startTime: t, cpu: { time: t, usageCoreNanoSeconds: 3e9 }, memory: { time: t, workingSetBytes: 768 },
      containers: [{ name: 'app', startTime: t, cpu: { time: t, usageCoreNanoSeconds: 2e9 }, memory: { time: t, workingSetBytes: 512 } },
        { name: 'side', startTime: t, cpu: { time: t, usageCoreNanoSeconds: 1e9 }, memory: { time: t, workingSetBytes: 256 } }] }],
  };
  const r = kubeletRegistries(async () => { reads++; return summary; });
  const cadvisor = await r.cadvisor.metrics();
  assert.equal(reads, 1, 'one Summary for every family of a scrape');
  const lines = cadvisor.split('\n');
  assert.ok(lines.includes('container_cpu_usage_seconds_total{container="app",cpu="total",namespace="default",pod="web"} 2'), 'core-seconds per container');
  assert.ok(lines.includes('container_cpu_usage_seconds_total{container="",cpu="total",namespace="default",pod="web"} 3'), 'and per pod, as cAdvisor\'s pod cgroup');
  assert.ok(lines.includes('container_memory_working_set_bytes{container="side",namespace="default",pod="web"} 256'));
  assert.ok(lines.includes('# TYPE container_cpu_usage_seconds_total counter'));
  const kubelet = (await r.kubelet.metrics()).split('\n');
  assert.ok(kubelet.includes('kubelet_running_pods 1'));
  assert.ok(kubelet.includes('kubelet_running_containers{container_state="running"} 2'));
  assert.ok(!kubelet.some((l) => l.startsWith('container_')), 'container families are on /metrics/cadvisor only, as upstream');
});
