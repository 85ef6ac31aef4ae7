// The official python client (Debian's python3-kubernetes) run against a test cluster: tests that need it skip with
// pythonClientMissing when no python can import it.
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestCluster } from './cluster.js';

export const pythonClientMissing = 'skipped: python3 with the kubernetes package not found (apt-get install python3-kubernetes)';

/** The first python that can import `module` (pyenv shims may hide Debian's dist-packages), or undefined. */
export function findPython(module = 'kubernetes'): string | undefined {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', `import ${module}`], { encoding: 'utf8', timeout: 30_000 });
    if (r.status === 0) return py;
  }
  return undefined;
}

export interface PythonRun { code: number; stdout: string; stderr: string; /** The last line of stdout, parsed as JSON. */ output(): any }

/**
 * Runs `script` (written to <home>/<file>) with `python`: the cluster's kubeconfig as sys.argv[1], then `args`, and a
 * HOME of its own so nothing reads or writes the user's ~/.kube.
 */
export function runPython(c: TestCluster, python: string, file: string, script: string, args: string[] = []): Promise<PythonRun> {
  const path = join(c.home, file);
  writeFileSync(path, script);
  return new Promise((resolve) => {
    execFile(python, [path, c.kubeconfig, ...args], { timeout: 60_000, env: { ...process.env, HOME: join(c.home, 'user') } }, (err, stdout, stderr) =>
      resolve({ code: err ? 1 : 0, stdout, stderr, output: () => JSON.parse(stdout.trim().split('\n').pop()!) }));
  });
}
