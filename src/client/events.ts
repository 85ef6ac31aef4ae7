// An event recorder, as client-go's tools/record: core/v1 Events named `<object name>.<hex unix nanoseconds>`
// in the object's namespace ("default" for cluster-scoped objects), with simple aggregation: the same
// object + type + reason + message again within 10 minutes patches count and lastTimestamp of the existing Event
// instead of creating a new one (what `kubectl describe` shows as "x3 over 5m").
//
// Messages must never contain Secret data: the recorder copies only the object's identity (never its body)
// and the caller's message.
import { isNotFound } from '../api/errors.js';
import type { Client } from './client.js';
import { resources } from '../api/resources.js';
import type { KubeObject } from '../api/object.js';
import { realClock, type Clock } from './clock.js';
import { errorText, stderrLog, type LogFn } from './log.js';

export type EventType = 'Normal' | 'Warning';

export interface ObjectReference {
  apiVersion?: string; kind?: string; name?: string; namespace?: string; uid?: string; resourceVersion?: string; fieldPath?: string;
}

export interface EventRecorderOptions {
  client: Client;
  /** source.component and reportingComponent, e.g. "deployment-controller", "default-scheduler", "kubelet". */
  component: string;
  /** source.host (the kubelet sets its node name). */
  host?: string;
  /**
   * reportingInstance; defaults to host, as upstream's core/v1 recorder (source.host: empty for the controller
   * manager's controllers, the node name for a kubelet). Recorders of the events.k8s.io kind (the scheduler) name
   * their process: "<component>-<hostname>".
   */
  reportingInstance?: string;
  clock?: Clock;
  log?: LogFn;
  /** Aggregation window; default 10 minutes. */
  aggregationWindowMs?: number;
  /** Size of the aggregation cache (LRU); default 4096 as upstream. */
  cacheSize?: number;
}

interface Seen { namespace: string; name: string; count: number; lastMs: number }

const MESSAGE_MAX = 1024; // upstream truncates event notes to 1 KiB

export class EventRecorder {
  private readonly clock: Clock;
  private readonly log: LogFn;
  private readonly seen = new Map<string, Seen>();
  private lastNano = 0n;

  constructor(private readonly opts: EventRecorderOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? stderrLog;
  }

  /**
   * Records an event about obj. Never throws: failures are logged (events are best-effort, as upstream).
   * Resolves when the write has finished, so tests can await it; callers need not.
   */
  async event(obj: KubeObject | ObjectReference, type: EventType, reason: string, message: string): Promise<void> {
    try {
      await this.record(referenceTo(obj), type, reason, truncate(message));
    } catch (e) {
      this.log({ level: 'warn', msg: 'failed to record event', component: this.opts.component, reason, error: errorText(e) });
    }
  }

  /** printf-style convenience, as EventRecorder.Eventf. */
  eventf(obj: KubeObject | ObjectReference, type: EventType, reason: string, format: string, ...args: unknown[]): Promise<void> {
    let i = 0;
    const message = format.replace(/%[sdvq]/g, (m) => {
      const a = args[i++];
      return m === '%q' ? JSON.stringify(String(a)) : String(a);
    });
    return this.event(obj, type, reason, message);
  }

  private async record(ref: ObjectReference, type: EventType, reason: string, message: string): Promise<void> {
    const namespace = ref.namespace || 'default';
    const nowMs = this.clock.now();
    const now = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'); // metav1.Time: RFC 3339, seconds
    const key = [ref.apiVersion, ref.kind, ref.namespace, ref.name, ref.uid, ref.fieldPath, type, reason, message].join('\u0000');
    const window = this.opts.aggregationWindowMs ?? 600_000;
    const prev = this.seen.get(key);
    if (prev && nowMs - prev.lastMs <= window) {
      try {
        const count = prev.count + 1;
        await this.opts.client.patch(resources.events, prev.namespace, prev.name, 'merge', { count, lastTimestamp: now }, { discardResult: true });
        this.touch(key, { ...prev, count, lastMs: nowMs });
        return;
      } catch (e) {
        if (!isNotFound(e)) throw e;
        // The event was garbage-collected (events have a TTL): start a new one.
      }
    }
    const instance = this.opts.reportingInstance ?? this.opts.host ?? '';
    const source: Record<string, string> = { component: this.opts.component };
    if (this.opts.host) source.host = this.opts.host;
    const involvedObject: ObjectReference = {};
    for (const k of ['apiVersion', 'kind', 'name', 'namespace', 'uid', 'resourceVersion', 'fieldPath'] as const) {
      if (ref[k]) involvedObject[k] = ref[k];
    }
    const ev = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${ref.name ?? 'unknown'}.${this.uniqueNanos(nowMs).toString(16)}`, namespace },
      involvedObject, reason, message, type, source,
      firstTimestamp: now, lastTimestamp: now, count: 1,
      eventTime: null,
      reportingComponent: this.opts.component, reportingInstance: instance,
    };
    // The server keeps the name given, so its answer is not decoded (one parse of every Event created).
    await this.opts.client.create(resources.events, namespace, ev, { discardResult: true });
    this.touch(key, { namespace, name: ev.metadata.name, count: 1, lastMs: nowMs });
  }

  /** Unix nanoseconds, strictly increasing within this recorder so two events in one millisecond get distinct names. */
  private uniqueNanos(ms: number): bigint {
    let n = BigInt(ms) * 1_000_000n;
    if (n <= this.lastNano) n = this.lastNano + 1n;
    this.lastNano = n;
    return n;
  }

  private touch(key: string, s: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, s);
    const max = this.opts.cacheSize ?? 4096;
    while (this.seen.size > max) this.seen.delete(this.seen.keys().next().value as string);
  }
}

/** The reference an event names (involvedObject): what a deferred event needs to keep instead of the whole object. */
export function referenceTo(obj: KubeObject | ObjectReference): ObjectReference {
  if ('metadata' in obj && obj.metadata) {
    const m = obj.metadata;
    return { apiVersion: obj.apiVersion, kind: obj.kind, name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion };
  }
  return obj as ObjectReference;
}

function truncate(message: string): string {
  return message.length > MESSAGE_MAX ? message.slice(0, MESSAGE_MAX - 3) + '...' : message;
}
