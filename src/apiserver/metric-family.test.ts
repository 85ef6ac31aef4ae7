// The hand-counted families print as prom-client's own would: cumulative buckets, +Inf, _sum and _count per series.
import assert from 'node:assert/strict';
import test from 'node:test';
import { Registry } from 'prom-client';
import { CounterFamily, HistogramFamily } from './metric-family.js';

test('a histogram family\'s text has cumulative buckets per series, and a counter family one sample per label set', async () => {
  const registry = new Registry();
  const h = new HistogramFamily({ name: 'x_seconds', help: 'X.', labelNames: ['verb'], buckets: [0.1, 1], registers: [registry] });
  const c = new CounterFamily({ name: 'x_total', help: 'X.', labelNames: ['verb', 'code'], registers: [registry] });
  for (const v of [0.05, 0.5, 5]) h.observe(['GET'], v);
  c.inc(['GET', '200']); c.inc(['GET', '200']); c.inc(['GET', '404']);
  const lines = (await registry.metrics()).split('\n');
  for (const l of ['# TYPE x_seconds histogram', 'x_seconds_bucket{verb="GET",le="0.1"} 1', 'x_seconds_bucket{verb="GET",le="1"} 2', 'x_seconds_bucket{verb="GET",le="+Inf"} 3',
    'x_seconds_sum{verb="GET"} 5.55', 'x_seconds_count{verb="GET"} 3', '# TYPE x_total counter', 'x_total{verb="GET",code="200"} 2', 'x_total{verb="GET",code="404"} 1']) {
    assert.ok(lines.includes(l), `missing: ${l}`);
  }
});
