// Test doubles for the prober: an ExecRunner that runs the command as a host process (what a container's exec
// does, minus the namespaces), with the runtime's timeout semantics.
import { execFile } from 'node:child_process';
import type { ExecRunner } from './exec-probe.js';

export function hostExecRunner(): ExecRunner & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    execSync(_id, cmd, timeoutSeconds) {
      calls.push(cmd);
      return new Promise((resolve, reject) => {
        execFile(cmd[0], cmd.slice(1), { timeout: timeoutSeconds * 1000, encoding: 'buffer' }, (err, stdout, stderr) => {
          const e = err as unknown as { killed?: boolean; code?: number | string } | null;
          if (e?.killed) { const t = new Error(`command ${JSON.stringify(cmd.join(' '))} timed out`); t.name = 'TimeoutError'; reject(t); return; }
          if (e && typeof e.code !== 'number') { reject(e); return; }
          resolve({ stdout, stderr, exitCode: e ? Number(e.code) : 0 });
        });
      });
    },
  };
}
