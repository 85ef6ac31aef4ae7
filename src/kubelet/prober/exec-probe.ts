// exec probes (upstream pkg/probe/exec): the command runs in the container through the runtime's ExecSync with
// timeoutSeconds; exit 0 is success, another exit code a failure quoting the combined output; a timeout is a
// failure reading `command "<cmd>" timed out` (ExecProbeTimeout, on by default); any other runtime error is a
// probe error.
import type { Clock } from '../../client/clock.js';
import type { RuntimeService } from '../runtime/runtime.js';
import { failure, probeError, success, type ProbeOutcome } from './outcome.js';

export type ExecRunner = Pick<RuntimeService, 'execSync'>;

const isTimeout = (e: unknown) => e instanceof Error && (e.name === 'TimeoutError' || /timed? ?out/i.test(e.message) || (e as NodeJS.ErrnoException).code === 'ETIMEDOUT');

export async function execProbe(runtime: ExecRunner, containerId: string, cmd: string[], timeoutSeconds: number, clock: Clock): Promise<ProbeOutcome> {
  const timedOut = failure(`command ${JSON.stringify(cmd.join(' '))} timed out`);
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  // The runtime enforces the timeout itself; the clock deadline (one second later) guards against a runtime
  // that never answers, so a probe worker is never stuck.
  const deadline = new Promise<ProbeOutcome>((resolve) => { timer = clock.setTimeout(() => resolve(timedOut), (timeoutSeconds + 1) * 1000); });
  const run = (async () => {
    try {
      const r = await runtime.execSync(containerId, cmd, timeoutSeconds);
      const out = Buffer.concat([r.stdout, r.stderr]).toString('utf8');
      return r.exitCode === 0 ? success(out) : failure(out);
    } catch (e) {
      if (isTimeout(e)) return timedOut;
      return probeError((e as Error).message);
    }
  })();
  try { return await Promise.race([run, deadline]); } finally { if (timer) clock.clearTimeout(timer); }
}
