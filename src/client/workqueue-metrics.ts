// Work queue metrics with client-go's names, labels and buckets (k8s.io/component-base/metrics/prometheus/workqueue,
// as the controller manager registers them): workqueue_depth, workqueue_adds_total, workqueue_queue_duration_seconds,
// workqueue_work_duration_seconds, workqueue_unfinished_work_seconds, workqueue_longest_running_processor_seconds and
// workqueue_retries_total, per queue name.
// Unlike client-go's process-wide provider, a provider here is an object with its own registry, handed to the queues
// of one component (the controller manager passes it to each controller's queue): two clusters in one process (tests)
// never share a registry. A queue given no provider, or without a name, reports nothing.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What one queue reports, per item (the queue calls these; timings come from the performance clock). */
export interface QueueMetrics<T> {
  add(item: T): void;
  get(item: T): void;
  done(item: T): void;
  retry(): void;
}

// client-go: prometheus.ExponentialBuckets(10e-9, 10, 10), 1 ns to 10 s.
const durationBuckets = Array.from({ length: 10 }, (_, i) => 1e-8 * 10 ** i);

export class WorkqueueMetricsProvider {
  readonly registry: Registry;
  private readonly queues = new Set<{ name: string; processing: Map<unknown, number> }>();
  private readonly depth: Gauge;
  private readonly adds: Counter;
  private readonly latency: Histogram;
  private readonly workDuration: Histogram;
  private readonly retries: Counter;

  constructor(registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    const queues = this.queues;
    this.depth = new Gauge({ name: 'workqueue_depth', help: '[ALPHA] Current depth of workqueue', labelNames: ['name'], registers });
    this.adds = new Counter({ name: 'workqueue_adds_total', help: '[ALPHA] Total number of adds handled by workqueue', labelNames: ['name'], registers });
    this.latency = new Histogram({ name: 'workqueue_queue_duration_seconds', help: '[ALPHA] How long in seconds an item stays in workqueue before being requested.', labelNames: ['name'], buckets: durationBuckets, registers });
    this.workDuration = new Histogram({ name: 'workqueue_work_duration_seconds', help: '[ALPHA] How long in seconds processing an item from workqueue takes.', labelNames: ['name'], buckets: durationBuckets, registers });
    this.retries = new Counter({ name: 'workqueue_retries_total', help: '[ALPHA] Total number of retries handled by workqueue', labelNames: ['name'], registers });
    // The two "in progress" gauges are computed when scraped from the start times of the items being processed
    // (client-go updates them every 500 ms from a goroutine; a scrape-time read needs no timer).
    new Gauge({ name: 'workqueue_unfinished_work_seconds', labelNames: ['name'], registers,
      help: '[ALPHA] How many seconds of work has done that is in progress and hasn\'t been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
      collect() {
        const now = performance.now();
        for (const q of queues) { let total = 0; for (const t of q.processing.values()) total += now - t; this.set({ name: q.name }, total / 1000); }
      } });
    new Gauge({ name: 'workqueue_longest_running_processor_seconds', labelNames: ['name'], registers,
      help: '[ALPHA] How many seconds has the longest running processor for workqueue been running.',
      collect() {
        const now = performance.now();
        for (const q of queues) { let longest = 0; for (const t of q.processing.values()) longest = Math.max(longest, now - t); this.set({ name: q.name }, longest / 1000); }
      } });
  }

  /** The metrics of the queue called name (its families start at zero, as client-go's). */
  forQueue<T>(name: string): QueueMetrics<T> | undefined {
    if (!name) return undefined;
    const labels = { name };
    const added = new Map<T, number>();
    const processing = new Map<T, number>();
    this.queues.add({ name, processing: processing as Map<unknown, number> });
    this.depth.set(labels, 0);
    this.adds.inc(labels, 0);
    this.retries.inc(labels, 0);
    return {
      add: (item) => {
        this.adds.inc(labels);
        this.depth.inc(labels);
        if (!added.has(item)) added.set(item, performance.now());
      },
      get: (item) => {
        this.depth.dec(labels);
        const now = performance.now();
        const t = added.get(item);
        if (t !== undefined) { this.latency.observe(labels, (now - t) / 1000); added.delete(item); }
        processing.set(item, now);
      },
      done: (item) => {
        const t = processing.get(item);
        if (t !== undefined) { this.workDuration.observe(labels, (performance.now() - t) / 1000); processing.delete(item); }
      },
      retry: () => this.retries.inc(labels),
    };
  }
}
