// The probe manager (upstream pkg/kubelet/prober: manager.go + worker.go), one worker per container and probe
// kind, each on the injected clock:
//   - a worker probes every periodSeconds (default 10), first right away; nothing before initialDelaySeconds
//     after the container started; a result only counts after successThreshold successes or failureThreshold
//     (default 3) failures in a row;
//   - results belong to one container instance (its CRI id): a restarted container starts over from the initial
//     values: readiness false until its first success, liveness true, startup unknown;
//   - a startup probe gates the others: liveness and readiness do not run until it has succeeded, and it stops
//     once it has;
//   - a liveness or startup failure puts the worker on hold until a new container instance appears, and
//     takeRestart() hands the kubelet upstream's Killing message once;
//   - each failed run records an Unhealthy Warning event: "Liveness probe failed: HTTP probe failed with
//     statuscode: 500"; a warning result records ProbeWarning; a run that errored (no such named port, a
//     runtime exec error) records "... probe errored and resulted in unknown state: ..." and counts for nothing;
//   - a pod being deleted stops liveness/startup probing (quiet shutdown);
//   - ready() on a container whose readiness has not succeeded triggers a run now (upstream's manual trigger),
//     so a freshly started container becomes Ready without waiting a whole period.
// onUpdate fires whenever a published result changes, so the kubelet can sync the pod at once.
//
// One deliberate difference from upstream (named in the README): a container with no readinessProbe that declares
// a TCP containerPort is Ready once that port accepts connections, checked every 100 ms without events, and at
// the latest PORT_WAIT_MS after it started (then Ready as upstream would have made it at once). Upstream marks such
// a container Ready the moment it runs, so a Service can send it connections before its process has bound the
// port, and a rolling update of a probe-less Deployment (the seed's) refuses a few requests. Waiting for the
// declared port closes that gap without changing anything for containers that declare a readinessProbe.
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import { realClock, type Clock, type TimerHandle } from '../../client/clock.js';
import { discardLog, errorText, type LogFn } from '../../client/log.js';
import type { ProbeHooks } from '../hooks.js';
import type { ExecRunner } from './exec-probe.js';
import type { ProbeOutcome } from './outcome.js';
import { runProbe, type ProbeTarget } from './run-probe.js';

export type ProbeType = 'liveness' | 'readiness' | 'startup';
export type Result = 'success' | 'failure' | 'unknown';

export interface ProbeUpdate { podUid: string; containerName: string; containerId: string; probeType: ProbeType; result: Result }

export interface RunningContainer {
  name: string;
  containerId: string;
  /** When it started (ms since the epoch); defaults to when the manager first saw this instance. */
  startedAt?: number;
}

export interface ProbeManagerOptions {
  runtime: ExecRunner;
  clock?: Clock;
  log?: LogFn;
  /** Events about the pod's containers (Unhealthy, ProbeWarning). Never Secret data: outputs are the probes'. */
  recordEvent?: (pod: Pod, container: Container, type: 'Normal' | 'Warning', reason: string, message: string) => void;
  /** A published result changed (the kubelet syncs the pod). */
  onUpdate?: (u: ProbeUpdate) => void;
  /**
   * The pod's IP for probes without a host; default: the podIP given to sync(), else pod.status.podIP. Network
   * probes wait until one is known.
   */
  podIP?: (pod: Pod) => string | undefined;
  /** Replaces the real probes (tests of the timing rules only). */
  runProbe?: (probe: Probe, target: ProbeTarget) => Promise<ProbeOutcome>;
}

/** How long a probe-less container with a declared TCP port may take to bind it before it is Ready anyway. */
export const PORT_WAIT_MS = 5_000;
const PORT_WAIT_PERIOD_SECONDS = 0.1;

/** The implicit readiness check of a container without a readinessProbe: its first declared TCP port. */
function portWaitProbe(c: Container): Probe | undefined {
  if (c.readinessProbe) return undefined;
  const port = c.ports?.find((p) => (p.protocol ?? 'TCP') === 'TCP' && p.containerPort > 0)?.containerPort;
  return port === undefined ? undefined : { tcpSocket: { port }, periodSeconds: PORT_WAIT_PERIOD_SECONDS, timeoutSeconds: 1, failureThreshold: 1, successThreshold: 1 };
}

const TITLE: Record<ProbeType, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };
const INITIAL: Record<ProbeType, Result> = { liveness: 'success', readiness: 'failure', startup: 'unknown' };

class Worker {
  containerId = '';
  startedAt = 0;
  result: Result = 'unknown';
  private lastResult: Result = 'unknown';
  private resultRun = 0;
  private onHold = false;
  private inFlight = false;
  private timer?: TimerHandle;
  stopped = false;
  restartTaken = '';

  /** implicit: the port wait of a probe-less container (see the header): no events, Ready after PORT_WAIT_MS. */
  constructor(private readonly m: ProbeManager, readonly pod: PodEntry, readonly container: Container, readonly type: ProbeType, readonly probe: Probe,
    readonly implicit = false) {}

  start(): void {
    this.trigger();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.m.clock.clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    // A port wait that is over idles at upstream's default period until a new container instance re-arms it.
    const seconds = this.implicit && this.result === 'success' ? 10 : (this.probe.periodSeconds || 10);
    this.timer = this.m.clock.setTimeout(() => { this.trigger(); this.schedule(); }, seconds * 1000);
  }

  /** Runs doProbe unless one is already running. */
  trigger(): void {
    if (this.inFlight || this.stopped) return;
    this.inFlight = true;
    void this.doProbe()
      .catch((e) => this.m.log({ level: 'warn', msg: 'probe worker failed', probe: this.type, container: this.container.name, error: errorText(e) }))
      .finally(() => { this.inFlight = false; });
  }

  private set(result: Result): void {
    if (this.result === result) return;
    this.result = result;
    this.m.publish(this, result);
  }

  private async doProbe(): Promise<void> {
    const entry = this.pod;
    const running = entry.running.get(this.container.name);
    if (!running) {
      // Not running: readiness is false; the others keep their last value for the instance that was.
      if (this.containerId && this.type === 'readiness') this.set('failure');
      return;
    }
    if (running.containerId !== this.containerId) {
      this.containerId = running.containerId;
      this.startedAt = running.startedAt ?? this.m.clock.now();
      this.lastResult = 'unknown';
      this.resultRun = 0;
      this.onHold = false;
      this.restartTaken = '';
      this.result = 'unknown';
      this.set(INITIAL[this.type]);
      if (this.implicit && !this.stopped) {
        if (this.timer) this.m.clock.clearTimeout(this.timer);
        this.schedule();
      }
    }
    if (this.onHold) return;
    if (entry.pod.metadata?.deletionTimestamp && (this.type === 'liveness' || this.type === 'startup')) {
      this.set('success');
      this.stop();
      return;
    }
    if (this.m.clock.now() - this.startedAt < (this.probe.initialDelaySeconds ?? 0) * 1000) return;
    if (this.implicit && this.result === 'success') return; // bound once: the wait is over for this instance
    if (this.implicit && this.m.clock.now() - this.startedAt >= PORT_WAIT_MS) { this.set('success'); return; }
    const started = this.m.isStarted(entry, this.container.name);
    if (started ? this.type === 'startup' : this.type !== 'startup') return;

    const id = this.containerId;
    const podIP = this.m.podIPOf(entry.pod);
    // A network probe needs the pod's IP; until the kubelet knows it, the run is skipped rather than aimed at
    // the wrong address (a failure there could restart a healthy container).
    if (podIP === undefined && !this.probe.exec && !this.probe.httpGet?.host && !this.probe.tcpSocket?.host) return;
    const outcome = await this.m.run(this.probe, {
      container: this.container, containerId: id, podIP: podIP ?? '', runtime: this.m.runtime, clock: this.m.clock,
    });
    if (this.stopped || id !== this.containerId) return; // a new instance appeared meanwhile: this run is void
    if (this.implicit) {
      if (outcome.result !== 'error' && outcome.result !== 'failure') this.set('success');
      return;
    }
    if (outcome.result === 'error') {
      // Upstream: an event, and the run does not count either way.
      this.m.event(entry.pod, this.container, 'Warning', 'Unhealthy', `${TITLE[this.type]} probe errored and resulted in unknown state: ${outcome.output}`);
      return;
    }
    if (outcome.result === 'failure') {
      this.m.event(entry.pod, this.container, 'Warning', 'Unhealthy', `${TITLE[this.type]} probe failed: ${outcome.output}`);
    } else if (outcome.result === 'warning') {
      this.m.event(entry.pod, this.container, 'Warning', 'ProbeWarning', `${TITLE[this.type]} probe warning: ${outcome.output}`);
    }
    const result: Result = outcome.result === 'failure' ? 'failure' : 'success';
    if (this.lastResult === result) this.resultRun++;
    else { this.lastResult = result; this.resultRun = 1; }
    if ((result === 'failure' && this.resultRun < (this.probe.failureThreshold || 3))
      || (result === 'success' && this.resultRun < (this.probe.successThreshold || 1))) return;
    this.set(result);
    if ((this.type === 'liveness' || this.type === 'startup') && result === 'failure') {
      this.onHold = true;
      this.resultRun = 0;
    }
  }
}

interface PodEntry { pod: Pod; running: Map<string, RunningContainer>; workers: Map<string, Worker> }

export class ProbeManager implements ProbeHooks {
  readonly clock: Clock;
  readonly log: LogFn;
  readonly runtime: ExecRunner;
  private readonly pods = new Map<string, PodEntry>();

  constructor(private readonly opts: ProbeManagerOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? discardLog;
    this.runtime = opts.runtime;
  }

  /**
   * Tells the manager the pod's latest object and which of its containers run now (call on every pod sync);
   * creates the workers of containers with probes. podIP, when given, is the host of probes without one.
   */
  sync(pod: Pod, running: RunningContainer[], podIP?: string): void {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    let entry = this.pods.get(uid);
    const fresh = !entry;
    if (!entry) { entry = { pod, running: new Map(), workers: new Map() }; this.pods.set(uid, entry); }
    entry.pod = podIP ? withPodIP(pod, podIP) : (entry.pod.status?.podIP && !pod.status?.podIP ? withPodIP(pod, entry.pod.status.podIP) : pod);
    const before = entry.running;
    entry.running = new Map(running.map((r) => [r.name, { ...r, startedAt: r.startedAt ?? (before.get(r.name)?.containerId === r.containerId ? before.get(r.name)!.startedAt : this.clock.now()) }]));
    const newWorkers: Worker[] = [];
    for (const c of pod.spec?.containers ?? []) {
      for (const [type, probe] of [['startup', c.startupProbe], ['liveness', c.livenessProbe], ['readiness', c.readinessProbe]] as const) {
        if (!probe) continue;
        const key = `${c.name}/${type}`;
        if (entry.workers.has(key)) continue;
        const w = new Worker(this, entry, c, type, probe);
        entry.workers.set(key, w);
        newWorkers.push(w);
      }
      const portWait = portWaitProbe(c);
      if (portWait && !entry.workers.has(`${c.name}/readiness`)) {
        const w = new Worker(this, entry, c, 'readiness', portWait, true);
        entry.workers.set(`${c.name}/readiness`, w);
        newWorkers.push(w);
      }
    }
    for (const w of newWorkers) w.start();
    // A container instance that changed is probed at once rather than a period later.
    if (!fresh) {
      for (const w of entry.workers.values()) {
        const r = entry.running.get(w.container.name);
        if (r && r.containerId !== w.containerId) w.trigger();
      }
    }
  }

  /** Readiness of a container the kubelet reports running, as containerStatuses[].ready (upstream's UpdatePodStatus). */
  ready(pod: Pod, container: Container): boolean {
    const entry = this.pods.get(pod.metadata?.uid ?? '');
    if (!entry) return !container.readinessProbe && !container.startupProbe && !portWaitProbe(container);
    if (!this.isStarted(entry, container.name)) return false;
    const w = entry.workers.get(`${container.name}/readiness`);
    if (!w) return true;
    const r = entry.running.get(container.name);
    if (r && w.containerId === r.containerId && w.result === 'success') return true;
    w.trigger();
    return false;
  }

  /** containerStatuses[].started of a container the kubelet reports running: its startup probe (if any) succeeded. */
  started(pod: Pod, container: Container): boolean {
    const entry = this.pods.get(pod.metadata?.uid ?? '');
    if (!entry) return !container.startupProbe;
    return this.isStarted(entry, container.name);
  }

  /**
   * The Killing event's message when a container must restart, once per instance, as upstream's:
   * "Container app failed liveness probe, will be restarted" (or startup).
   */
  takeRestart(pod: Pod, container: Container, containerId: string): string | undefined {
    const entry = this.pods.get(pod.metadata?.uid ?? '');
    if (!entry) return undefined;
    for (const type of ['liveness', 'startup'] as const) {
      const w = entry.workers.get(`${container.name}/${type}`);
      if (w && w.containerId === containerId && w.result === 'failure' && w.restartTaken !== containerId) {
        w.restartTaken = containerId;
        return `Container ${container.name} failed ${type} probe, will be restarted`;
      }
    }
    return undefined;
  }

  /**
   * The grace period for a restart a probe caused: the probe's terminationGracePeriodSeconds when set, else the
   * pod's (upstream's ProbeTerminationGracePeriod).
   */
  restartGracePeriodSeconds(pod: Pod, container: Container): number {
    const probe = container.livenessProbe?.terminationGracePeriodSeconds ?? container.startupProbe?.terminationGracePeriodSeconds;
    return probe ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  }

  removePod(uid: string): void {
    const entry = this.pods.get(uid);
    if (!entry) return;
    for (const w of entry.workers.values()) w.stop();
    this.pods.delete(uid);
  }

  stop(): void {
    for (const uid of [...this.pods.keys()]) this.removePod(uid);
  }

  // --- for workers -------------------------------------------------------------------------------------------

  /**
   * Whether a container the kubelet reports running has started: without a startup probe it has (even before
   * the manager's next sync lists it); with one, once that probe succeeded for this very instance.
   */
  isStarted(entry: PodEntry, name: string): boolean {
    const w = entry.workers.get(`${name}/startup`);
    if (!w) return true;
    const r = entry.running.get(name);
    return !!r && w.containerId === r.containerId && w.result === 'success';
  }

  podIPOf(pod: Pod): string | undefined {
    return this.opts.podIP?.(pod) || pod.status?.podIP || undefined;
  }

  run(probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> {
    return (this.opts.runProbe ?? runProbe)(probe, target);
  }

  event(pod: Pod, container: Container, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.opts.recordEvent?.(pod, container, type, reason, message);
  }

  publish(w: Worker, result: Result): void {
    this.opts.onUpdate?.({ podUid: w.pod.pod.metadata?.uid ?? '', containerName: w.container.name, containerId: w.containerId, probeType: w.type, result });
  }
}

function withPodIP(pod: Pod, podIP: string): Pod {
  return { ...pod, status: { ...(pod.status ?? {}), podIP } };
}
