// The one options object every workload controller's start function takes (DESIGN.md §5: one config object per
// component constructor).
import type { Client } from '../../client/client.js';
import type { Clock } from '../../client/clock.js';
import { EventRecorder } from '../../client/events.js';
import type { InformerFactory } from '../../client/informer.js';
import type { LogFn } from '../../client/log.js';
import type { WorkqueueMetricsProvider } from '../../client/workqueue-metrics.js';

export interface ControllerOptions {
  client: Client;
  /** Shared informers; the controller requests what it needs and starts them with `signal`. */
  informers: InformerFactory;
  /** An EventRecorder, or a factory given the component name ("replicaset-controller", "deployment-controller"). */
  recorder?: EventRecorder | ((component: string) => EventRecorder);
  clock?: Clock;
  /** Aborting stops the controller; the start function's promise resolves once in-flight reconciles have ended. */
  signal: AbortSignal;
  log?: LogFn;
  /** Concurrent reconciles; upstream's default is 5 for both (--concurrent-replicaset-syncs, --concurrent-deployment-syncs). */
  workers?: number;
  /** Where the controller's work queue reports its workqueue_* metrics (the controller manager's registry). */
  workqueueMetrics?: WorkqueueMetricsProvider;
}

export function recorderFor(opts: ControllerOptions, component: string, clock: Clock, log: LogFn): EventRecorder {
  const r = opts.recorder;
  if (r instanceof EventRecorder) return r;
  if (typeof r === 'function') return r(component);
  return new EventRecorder({ client: opts.client, component, clock, log });
}
