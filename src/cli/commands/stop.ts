// `nanokube stop`: ends the server process and keeps all state (certificates, data, kubeconfig entry), so the next
// `start` resumes the same cluster.

import { homePaths, readPid, removePid, resolveHome, type HomePaths } from '../home.js';
import { isNanokubeRunning, terminate } from '../process.js';

/** How long the server gets to close the API server and the datastore cleanly before SIGKILL. */
const GRACE_MS = 15_000;

const say = (line: string) => process.stdout.write(`* ${line}\n`);

/** Stops the server if it runs; returns whether it was running. Used by `stop` and `delete`. */
export async function stopServer(paths: HomePaths): Promise<boolean> {
  const pid = readPid(paths);
  if (pid === undefined || !isNanokubeRunning(pid)) {
    if (pid !== undefined) removePid(paths, pid);
    return false;
  }
  say(`Stopping "nanokube" (pid ${pid}) ...`);
  const how = await terminate(pid, GRACE_MS);
  if (how === 'killed') say(`The server did not stop within ${GRACE_MS / 1000}s and was killed`);
  removePid(paths, pid);
  return true;
}

export async function stop(): Promise<void> {
  const paths = homePaths(resolveHome());
  if (await stopServer(paths)) say('nanokube stopped.');
  else process.stdout.write('nanokube is not running\n');
}
