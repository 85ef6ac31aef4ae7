// The kubelet's status manager (upstream's pkg/kubelet/status): pod workers tell it the status each pod should
// show; it keeps that per pod uid and writes pods/status only when it differs from what was last written (or what
// the API shows), one write per pod at a time, retrying failures with back-off. Once a pod marked for deletion has
// no running containers left, it confirms the deletion (DELETE gracePeriodSeconds=0 with a uid precondition).
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../client/client.js';
import type { Clock } from '../../client/clock.js';
import { errorText, type LogFn } from '../../client/log.js';
import { ItemExponentialFailureRateLimiter, RateLimitingQueue } from '../../client/workqueue.js';
import { confirmPodDeletion, patchPodStatus } from './patch-pod-status.js';

export interface StatusManagerOptions {
  client: Client;
  clock: Clock;
  log: LogFn;
  /** The pod as the API last showed it (the kubelet's pod cache), by uid. */
  podByUid(uid: string): Pod | undefined;
}

interface Desired { pod: Pod; status: PodStatus; deleteWhenWritten: boolean }

export class StatusManager {
  private readonly desired = new Map<string, Desired>();
  /** uid → JSON of the status last written successfully. */
  private readonly written = new Map<string, string>();
  private readonly queue: RateLimitingQueue<string>;
  private running?: Promise<void>;

  constructor(private readonly opts: StatusManagerOptions) {
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock, name: 'kubelet-status-manager', rateLimiter: new ItemExponentialFailureRateLimiter<string>(200, 30_000) });
  }

  /** The status last given for the pod (what the pod workers computed), if any. */
  getPodStatus(uid: string): PodStatus | undefined { return this.desired.get(uid)?.status; }

  /** Records the pod's status; written soon unless it equals what is already there. */
  setPodStatus(pod: Pod, status: PodStatus): void {
    const uid = pod.metadata!.uid!;
    const prev = this.desired.get(uid);
    this.desired.set(uid, { pod, status, deleteWhenWritten: prev?.deleteWhenWritten ?? false });
    this.queue.add(uid);
  }

  /** The pod's containers are all gone: write its final status, then confirm the deletion. */
  terminated(pod: Pod, status: PodStatus): void {
    const uid = pod.metadata!.uid!;
    this.desired.set(uid, { pod, status, deleteWhenWritten: true });
    this.queue.add(uid);
  }

  /** Forget a pod the API no longer has. */
  forget(uid: string): void {
    this.desired.delete(uid);
    this.written.delete(uid);
  }

  start(signal: AbortSignal): void {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    const worker = async () => {
      for (;;) {
        const uid = await this.queue.get();
        if (uid === undefined) return;
        try {
          await this.sync(uid);
          this.queue.forget(uid);
        } catch (e) {
          if (!signal.aborted) {
            this.opts.log({ level: 'warn', msg: 'pod status write failed; will retry', uid, error: errorText(e) });
            this.queue.addRateLimited(uid);
          }
        } finally {
          this.queue.done(uid);
        }
      }
    };
    this.running = Promise.all([worker(), worker()]).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.running;
  }

  private async sync(uid: string): Promise<void> {
    const d = this.desired.get(uid);
    if (!d) return;
    const current = this.opts.podByUid(uid) ?? d.pod;
    const json = JSON.stringify(d.status);
    const same = this.written.get(uid) === json || statusEqual(current.status, d.status);
    if (!same) {
      const ok = await patchPodStatus(this.opts.client, current, d.status);
      if (!ok) { this.forget(uid); return; }
      this.written.set(uid, json);
    }
    if (d.deleteWhenWritten && current.metadata?.deletionTimestamp) {
      await confirmPodDeletion(this.opts.client, current);
    }
  }
}

/** Equal statuses for writing purposes: same JSON once condition/field order is normalized. */
export function statusEqual(a: PodStatus | undefined, b: PodStatus): boolean {
  if (!a) return false;
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
