// The start-up every controller shares (DESIGN.md §4), so they all read alike: take the clock, log, event recorder
// and a rate-limited work queue from the options; request informers and add handlers that only enqueue keys; then
// start the shared informers and run the workers once every informer the controller reads has synced.
import type { Client } from '../../client/client.js';
import { realClock, type Clock } from '../../client/clock.js';
import { runController, type ReconcileResult } from '../../client/controller.js';
import type { EventRecorder } from '../../client/events.js';
import type { InformerFactory } from '../../client/informer.js';
import { stderrLog, type LogFn } from '../../client/log.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { recorderFor, type ControllerOptions } from './options.js';

/** What a controller is built from. */
export interface ControllerContext {
  readonly client: Client;
  readonly informers: InformerFactory;
  readonly clock: Clock;
  readonly log: LogFn;
  readonly signal: AbortSignal;
  /** The controller's queue of `namespace/name` (or other) keys. */
  readonly queue: RateLimitingQueue<string>;
  /** The event recorder for the controller's component name (made on first use). */
  readonly recorder: EventRecorder;
}

export interface ContextNames {
  /** The work queue's name, as upstream's workqueue metrics (e.g. "replicaset", "endpoint_slice"). */
  queue: string;
  /** The component events are reported from, as upstream's (e.g. "replicaset-controller", "node-controller"). */
  component: string;
}

export function controllerContext(opts: ControllerOptions, names: ContextNames): ControllerContext {
  const clock = opts.clock ?? realClock;
  const log = opts.log ?? stderrLog;
  let recorder: EventRecorder | undefined;
  return {
    client: opts.client, informers: opts.informers, clock, log, signal: opts.signal,
    queue: new RateLimitingQueue<string>({ clock, name: names.queue, ...(opts.workqueueMetrics ? { metrics: opts.workqueueMetrics } : {}) }),
    get recorder() { return (recorder ??= recorderFor(opts, names.component, clock, log)); },
  };
}

export interface Workers {
  /** For logs, e.g. "replicaset-controller". */
  name: string;
  /** The informers reconcile reads: workers start only after every one has synced. */
  informers: { waitForSync(signal?: AbortSignal): Promise<boolean> }[];
  /** Concurrent reconciles when the options do not say (upstream's --concurrent-*-syncs default). */
  defaultWorkers: number;
  reconcile(key: string): Promise<ReconcileResult>;
}

/**
 * Starts the shared informers requested so far and runs the workers until the signal aborts. Resolves once the
 * in-flight reconciles have ended.
 */
export function runWorkers(ctx: ControllerContext, opts: Pick<ControllerOptions, 'workers'>, w: Workers): Promise<void> {
  ctx.informers.start(ctx.signal);
  return runController({
    name: w.name, informers: w.informers, workers: opts.workers ?? w.defaultWorkers, queue: ctx.queue, signal: ctx.signal, log: ctx.log,
    reconcile: w.reconcile,
  });
}

/**
 * What a controller written as a class (the workload controllers) holds of its context: the queue, client, clock and
 * log, and the event recorder (made on first use).
 */
export abstract class ControllerBase {
  readonly queue: RateLimitingQueue<string>;
  protected readonly wiring: ControllerContext;
  protected readonly client: Client;
  protected readonly clock: Clock;
  protected readonly log: LogFn;

  constructor(opts: ControllerOptions, names: ContextNames) {
    this.wiring = controllerContext(opts, names);
    ({ client: this.client, clock: this.clock, log: this.log, queue: this.queue } = this.wiring);
  }

  protected get recorder(): EventRecorder { return this.wiring.recorder; }
}

/**
 * A controller written as a function: `setup` requests informers, adds handlers and builds the reconciler; the
 * workers run once its informers have synced. `setup` may return undefined to stop before starting (e.g. the signal
 * aborted while it waited for discovery).
 */
export async function startController(opts: ControllerOptions, names: ContextNames & Omit<Workers, 'informers' | 'reconcile'>,
  setup: (ctx: ControllerContext) => Pick<Workers, 'informers' | 'reconcile'> | undefined | Promise<Pick<Workers, 'informers' | 'reconcile'> | undefined>): Promise<void> {
  const ctx = controllerContext(opts, names);
  const built = await setup(ctx);
  if (!built) return;
  await runWorkers(ctx, opts, { ...built, name: names.name, defaultWorkers: names.defaultWorkers });
}
