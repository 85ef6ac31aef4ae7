// Leader-elected components (kube-controller-manager, kube-scheduler) run their work only while they hold their
// Lease in kube-system, so several control planes can run and exactly one of them acts.
import { setMaxListeners } from 'node:events';
import type { Client } from './client.js';
import type { Clock } from './clock.js';
import { LeaderElector } from './leader-election.js';
import type { LogFn } from './log.js';

export interface RunAsLeaderOptions {
  client: Client;
  /** This process's holder identity (hostname_uuid, as upstream). */
  identity: string;
  /** The Lease's name in kube-system: kube-controller-manager, kube-scheduler. */
  lease: string;
  clock: Clock;
  log: LogFn;
  signal: AbortSignal;
  /** The work; its signal aborts when leadership is lost. */
  run(signal: AbortSignal): Promise<void>;
}

/** Holds the named Lease and runs `run` while leading (again after re-acquiring it), until `signal` aborts. */
export async function runAsLeader(opts: RunAsLeaderOptions): Promise<void> {
  while (!opts.signal.aborted) {
    let running: Promise<void> | undefined;
    const elector = new LeaderElector({
      client: opts.client, lease: { namespace: 'kube-system', name: opts.lease }, identity: opts.identity, clock: opts.clock, log: opts.log,
      releaseOnCancel: true,
      callbacks: {
        onStartedLeading: (signal) => { setMaxListeners(0, signal); opts.log({ level: 'info', msg: 'became leader', lease: opts.lease }); running = opts.run(signal); },
        onStoppedLeading: ({ wasLeader }) => { if (wasLeader) opts.log({ level: 'info', msg: 'stopped leading', lease: opts.lease }); },
      },
    });
    await elector.run(opts.signal);
    if (running) await running;
  }
}
