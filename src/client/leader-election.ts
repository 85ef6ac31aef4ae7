// Leader election on a coordination.k8s.io/v1 Lease, as client-go's tools/leaderelection (LeaseLock):
// candidates acquire the lease when it is free or its holder has not renewed it for leaseDuration as measured on
// the candidate's own clock since it last saw the record change (tolerant to clock skew between hosts); the
// leader renews every retryPeriod and steps down if it cannot renew within renewDeadline. Writes use the Lease's
// resourceVersion, so of two candidates racing for an expired lease only one update wins.
//
// Like client-go this does not fence: a leader that stalls longer than leaseDuration may overlap its successor.
import { isConflict, isNotFound } from '../api/errors.js';
import type { Client } from './client.js';
import { resources } from '../api/resources.js';
import type { KubeObject } from '../api/object.js';
import { isAbortError, realClock, sleep, type Clock } from './clock.js';
import { errorText, stderrLog, type LogFn } from './log.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
export interface Lease extends KubeObject { spec?: LeaseSpec }

export interface LeaderCallbacks {
  /** Called when this candidate becomes leader; `signal` aborts when it stops leading. */
  onStartedLeading(signal: AbortSignal): void;
  /** Called when run() ends (as client-go: also when it never led; check wasLeader if that matters). */
  onStoppedLeading(info: { wasLeader: boolean }): void;
  /** Called when the observed leader changes (including the first one observed). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  client: Client;
  lease: { namespace: string; name: string };
  /** Unique per candidate, e.g. `${hostname}_${uuid}`. */
  identity: string;
  leaseDurationMs?: number;   // default 15 s
  renewDeadlineMs?: number;   // default 10 s
  retryPeriodMs?: number;     // default 2 s
  /** Release the lease (holder "" with 1 s duration) when run() is cancelled, so a successor need not wait. */
  releaseOnCancel?: boolean;
  callbacks: LeaderCallbacks;
  clock?: Clock;
  log?: LogFn;
  /** Source of jitter in [0,1) (client-go's JitterFactor 1.2 on acquire retries). */
  random?: () => number;
}

const JITTER_FACTOR = 1.2;

/** metav1.MicroTime's JSON form: RFC 3339 in UTC with exactly six fractional digits. */
export function formatMicroTime(ms: number): string {
  const iso = new Date(ms).toISOString();          // 2025-01-01T00:00:00.123Z
  return iso.replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private readonly clock: Clock;
  private readonly log: LogFn;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private observedRecord: LeaseSpec = {};
  private observedRaw = '';
  private observedTime = 0;
  private reportedLeader = '';
  /** The last Lease object read or written; updates carry its resourceVersion. */
  private lease?: Lease;

  constructor(private readonly cfg: LeaderElectionConfig) {
    this.clock = cfg.clock ?? realClock;
    this.log = cfg.log ?? stderrLog;
    this.leaseDurationMs = cfg.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = cfg.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
    if (!cfg.identity) throw new Error('leader election requires an identity');
  }

  /** The identity of the last observed leader ('' when none observed). */
  getLeader(): string { return this.observedRecord.holderIdentity ?? ''; }
  isLeader(): boolean { return this.observedRecord.holderIdentity === this.cfg.identity; }

  /**
   * Campaigns until leading, then renews until renewal fails or signal aborts. Resolves when it stops; a component
   * that lost the lease should exit (as upstream components do) rather than call run() again with stale state.
   */
  async run(signal: AbortSignal): Promise<void> {
    let wasLeader = false;
    try {
      if (!(await this.acquire(signal))) return;
      wasLeader = true;
      const leading = new AbortController();
      const onAbort = () => leading.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        try { this.cfg.callbacks.onStartedLeading(leading.signal); } catch (e) {
          this.log({ level: 'error', msg: 'onStartedLeading failed', lease: this.describe(), error: errorText(e) });
        }
        await this.renew(signal);
      } finally {
        signal.removeEventListener('abort', onAbort);
        leading.abort();
      }
      if (this.cfg.releaseOnCancel) await this.release();
    } finally {
      this.cfg.callbacks.onStoppedLeading({ wasLeader });
    }
  }

  private describe(): string { return `${this.cfg.lease.namespace}/${this.cfg.lease.name}`; }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    this.log({ level: 'info', msg: 'attempting to acquire leader lease', lease: this.describe(), identity: this.cfg.identity });
    const random = this.cfg.random ?? Math.random;
    try {
      for (;;) {
        if (signal.aborted) return false;
        const ok = await this.tryAcquireOrRenew();
        this.maybeReportTransition();
        if (ok) {
          this.log({ level: 'info', msg: 'successfully acquired lease', lease: this.describe(), identity: this.cfg.identity });
          return true;
        }
        await sleep(this.clock, this.retryPeriodMs * (1 + random() * JITTER_FACTOR), signal);
      }
    } catch (e) {
      if (isAbortError(e)) return false;
      throw e;
    }
  }

  /** Renews every retryPeriod; returns when a renewal has not succeeded within renewDeadline, or on abort. */
  private async renew(signal: AbortSignal): Promise<void> {
    try {
      for (;;) {
        if (signal.aborted) return;
        const deadline = this.clock.now() + this.renewDeadlineMs;
        let renewed = false;
        // PollImmediateUntil(retryPeriod) bounded by renewDeadline.
        for (;;) {
          if (signal.aborted) return;
          if (await this.tryAcquireOrRenew()) { renewed = true; break; }
          if (this.clock.now() + this.retryPeriodMs > deadline) break;
          await sleep(this.clock, this.retryPeriodMs, signal);
          if (this.clock.now() >= deadline) break;
        }
        this.maybeReportTransition();
        if (!renewed) {
          this.log({ level: 'info', msg: 'failed to renew lease, stopped leading', lease: this.describe(), identity: this.cfg.identity });
          return;
        }
        await sleep(this.clock, this.retryPeriodMs, signal);
      }
    } catch (e) {
      if (!isAbortError(e)) throw e;
    }
  }

  private isLeaseValid(now: number): boolean {
    return this.observedTime + (this.observedRecord.leaseDurationSeconds ?? 0) * 1000 > now;
  }

  private setObserved(rec: LeaseSpec): void {
    this.observedRecord = { ...rec };
    this.observedTime = this.clock.now();
  }

  private async writeLease(spec: LeaseSpec): Promise<void> {
    const base = this.lease!;
    const updated: Lease = { ...base, metadata: { ...base.metadata }, spec };
    this.lease = await this.cfg.client.update<Lease>(resources.leases, updated);
  }

  /** One attempt; true when this candidate holds the lease afterwards. Never throws (errors are logged). */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    const record: LeaseSpec = {
      holderIdentity: this.cfg.identity,
      leaseDurationSeconds: Math.floor(this.leaseDurationMs / 1000),
      acquireTime: formatMicroTime(now),
      renewTime: formatMicroTime(now),
      leaseTransitions: 0,
    };
    const { client } = this.cfg;
    const { namespace, name } = this.cfg.lease;

    // 1. Fast path: the leader updates optimistically from the record it last wrote.
    if (this.isLeader() && this.isLeaseValid(now) && this.lease) {
      record.acquireTime = this.observedRecord.acquireTime;
      record.leaseTransitions = this.observedRecord.leaseTransitions ?? 0;
      try {
        await this.writeLease(record);
        this.setObserved(record);
        return true;
      } catch (e) {
        this.log({ level: 'warn', msg: 'failed to update lease optimistically, falling back to slow path', lease: this.describe(), error: errorText(e) });
      }
    }

    // 2. Get or create.
    let current: Lease;
    try {
      current = await client.get<Lease>(resources.leases, namespace, name);
    } catch (e) {
      if (!isNotFound(e)) {
        this.log({ level: 'error', msg: 'error retrieving lease', lease: this.describe(), error: errorText(e) });
        return false;
      }
      try {
        this.lease = await client.create<Lease>(resources.leases, namespace, {
          apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: record,
        });
      } catch (e2) {
        this.log({ level: 'error', msg: 'error initially creating lease', lease: this.describe(), error: errorText(e2) });
        return false;
      }
      this.setObserved(record);
      return true;
    }
    this.lease = current;

    // 3. Check identity and time against what we observed, on our own clock.
    const old = current.spec ?? {};
    const raw = JSON.stringify(old);
    if (raw !== this.observedRaw) {
      this.setObserved(old);
      this.observedRaw = raw;
    }
    if (old.holderIdentity && this.isLeaseValid(now) && !this.isLeader()) return false;

    // 4. Take or keep it.
    if (this.isLeader()) {
      record.acquireTime = old.acquireTime;
      record.leaseTransitions = old.leaseTransitions ?? 0;
    } else {
      record.leaseTransitions = (old.leaseTransitions ?? 0) + 1;
    }
    try {
      await this.writeLease(record);
    } catch (e) {
      const level = isConflict(e) ? 'info' : 'error';
      this.log({ level, msg: 'failed to update lease', lease: this.describe(), error: errorText(e) });
      return false;
    }
    this.setObserved(record);
    return true;
  }

  private async release(): Promise<void> {
    if (!this.isLeader() || !this.lease) return;
    const now = formatMicroTime(this.clock.now());
    const record: LeaseSpec = {
      leaseTransitions: this.observedRecord.leaseTransitions ?? 0, leaseDurationSeconds: 1, renewTime: now, acquireTime: now,
    };
    try {
      await this.writeLease(record);
      this.setObserved(record);
    } catch (e) {
      this.log({ level: 'error', msg: 'failed to release lease', lease: this.describe(), error: errorText(e) });
    }
  }

  private maybeReportTransition(): void {
    const holder = this.observedRecord.holderIdentity ?? '';
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    try { this.cfg.callbacks.onNewLeader?.(holder); } catch (e) {
      this.log({ level: 'error', msg: 'onNewLeader failed', error: errorText(e) });
    }
  }
}
