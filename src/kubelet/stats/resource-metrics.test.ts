// The kubelet's /metrics/resource text and the CPU rate: what metrics-server and Prometheus parse.
import assert from 'node:assert/strict';
import test from 'node:test';
import { resourceMetricsText } from './resource-metrics.js';
import { CpuRates } from './rate.js';

test('resource metrics use upstream names, labels and core-seconds, with the sample time', () => {
  const t = '2026-01-02T03:04:05Z';
  const text = resourceMetricsText({
    node: { nodeName: 'n', startTime: t, cpu: { time: t, usageCoreNanoSeconds: 2.5e9 }, memory: { time: t, workingSetBytes: 1024 } },
    pods: [{ podRef: { name: 'web', namespace: 'default', uid: 'u' }, startTime: t, cpu: { time: t, usageCoreNanoSeconds: 1e9 }, memory: { time: t, workingSetBytes: 512 },
      containers: [{ name: 'app', startTime: t, cpu: { time: t, usageCoreNanoSeconds: 1e9 }, memory: { time: t, workingSetBytes: 512 } }] }],
  });
  const ms = Date.parse(t);
  assert.match(text, new RegExp(`^container_cpu_usage_seconds_total\\{container="app",namespace="default",pod="web"\\} 1 ${ms}$`, 'm'));
  assert.match(text, new RegExp(`^container_memory_working_set_bytes\\{container="app",namespace="default",pod="web"\\} 512 ${ms}$`, 'm'));
  assert.match(text, new RegExp(`^node_cpu_usage_seconds_total 2.5 ${ms}$`, 'm'));
  assert.match(text, /^# TYPE container_cpu_usage_seconds_total counter$/m);
  assert.match(text, /^scrape_error 0$/m);
});

test('a CPU rate needs two samples, ignores samples too close together, and restarts on a counter reset', () => {
  const r = new CpuRates(500);
  assert.equal(r.observe('c', 0, 0), undefined);
  assert.equal(r.observe('c', 1e9, 5e8), 5e8, 'half a core over one second');
  assert.equal(r.observe('c', 1.1e9, 9e8), 5e8, 'a sample 100 ms later keeps the last rate');
  assert.equal(r.observe('c', 3e9, 0), undefined, 'a restarted container starts over');
  r.retain(new Set());
  assert.equal(r.observe('c', 4e9, 1e9), undefined, 'forgotten series start over');
});
