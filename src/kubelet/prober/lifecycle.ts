// postStart and preStop handlers (upstream pkg/kubelet/lifecycle handlers.go): exec through the runtime's
// ExecSync (non-zero exit fails), httpGet to the pod IP (any HTTP answer succeeds; User-Agent
// kube-lifecycle/1.32), sleep on the injected clock. Every handler is bounded by timeoutSeconds (the kubelet
// passes the grace period). Failures throw LifecycleHookError whose message is upstream's event text, e.g.
// `Exec lifecycle hook ([sh -c exit 3]) for Container "app" in Pod "web_default(uid)" failed - error: command
// 'sh -c exit 3' exited with 3: , message: ""`.
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import { realClock, type Clock } from '../../client/clock.js';
import type { LifecycleHooks } from '../hooks.js';
import type { ExecRunner } from './exec-probe.js';
import { httpProbe, httpTarget, LIFECYCLE_USER_AGENT } from './http-probe.js';
import { resolvePort } from './run-probe.js';

export class LifecycleHookError extends Error {
  constructor(message: string) { super(message); this.name = 'LifecycleHookError'; }
}

/** Upstream's format.Pod: name_namespace(uid). */
export const formatPod = (pod: Pod) => `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;

export interface LifecycleRunnerOptions { runtime: ExecRunner; clock?: Clock }

export class LifecycleHandlerRunner implements LifecycleHooks {
  private readonly clock: Clock;
  constructor(private readonly opts: LifecycleRunnerOptions) { this.clock = opts.clock ?? realClock; }

  async run(pod: Pod, container: Container, containerId: string, handler: LifecycleHandler, podIP: string | undefined, timeoutSeconds: number): Promise<void> {
    const where = `for Container "${container.name}" in Pod "${formatPod(pod)}"`;
    const sleep = (handler as { sleep?: { seconds: number } }).sleep;
    if (handler.exec) {
      const cmd = handler.exec.command ?? [];
      const r = await this.bounded(timeoutSeconds, () => this.opts.runtime.execSync(containerId, cmd, timeoutSeconds))
        .catch((e: Error) => { throw new LifecycleHookError(`Exec lifecycle hook ([${cmd.join(' ')}]) ${where} failed - error: ${e.message}, message: ""`); });
      if (r === 'timeout') throw new LifecycleHookError(`Exec lifecycle hook ([${cmd.join(' ')}]) ${where} failed - error: command '${cmd.join(' ')}' timed out, message: ""`);
      if (r.exitCode !== 0) {
        const output = Buffer.concat([r.stdout, r.stderr]).toString('utf8');
        throw new LifecycleHookError(`Exec lifecycle hook ([${cmd.join(' ')}]) ${where} failed - error: command '${cmd.join(' ')}' exited with ${r.exitCode}: ${r.stderr.toString('utf8')}, message: ${JSON.stringify(output)}`);
      }
      return;
    }
    if (handler.httpGet) {
      const path = handler.httpGet.path ?? '';
      let outcome;
      try {
        const port = resolvePort(handler.httpGet.port, container);
        outcome = await httpProbe(httpTarget(handler.httpGet, podIP ?? '127.0.0.1', port, LIFECYCLE_USER_AGENT), Math.max(1, timeoutSeconds) * 1000, this.clock, true);
      } catch (e) {
        throw new LifecycleHookError(`HTTP lifecycle hook (${path}) ${where} failed - error: ${(e as Error).message}`);
      }
      if (outcome.result === 'failure' || outcome.result === 'error') throw new LifecycleHookError(`HTTP lifecycle hook (${path}) ${where} failed - error: ${outcome.output}`);
      return;
    }
    if (sleep) {
      const r = await this.bounded(timeoutSeconds, () => new Promise<void>((res) => this.clock.setTimeout(res, sleep.seconds * 1000)));
      if (r === 'timeout') throw new LifecycleHookError(`Sleep lifecycle hook (${sleep.seconds}) ${where} failed - error: container terminated before sleep hook finished`);
      return;
    }
    throw new LifecycleHookError(`Cannot run handler: invalid handler: ${JSON.stringify(handler)}`);
  }

  /** f's value, or 'timeout' once timeoutSeconds of the clock have passed (0 = no bound). */
  private async bounded<T>(timeoutSeconds: number, f: () => Promise<T>): Promise<T | 'timeout'> {
    if (!(timeoutSeconds > 0)) return f();
    let h: ReturnType<Clock['setTimeout']> | undefined;
    const deadline = new Promise<'timeout'>((res) => { h = this.clock.setTimeout(() => res('timeout'), timeoutSeconds * 1000); });
    try { return await Promise.race([f(), deadline]); } finally { if (h) this.clock.clearTimeout(h); }
  }
}
