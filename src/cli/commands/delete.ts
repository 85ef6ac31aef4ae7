// `nanokube delete`: stop, then remove the state under $NANOKUBE_HOME and the kubeconfig entries. Only the files
// nanokube made are removed (NANOKUBE_HOME may be a folder the user shares with other things). An external
// datastore (--datastore-endpoint) is left as is: it is not ours to wipe.

import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { CLUSTER_NAME, displayPath, homePaths, loadConfig, resolveHome } from '../home.js';
import { kubeconfigPath, removeKubeconfigEntry } from '../kubeconfig.js';
import { stopServer } from './stop.js';

const say = (line: string) => process.stdout.write(`* ${line}\n`);

export async function deleteCluster(): Promise<void> {
  const paths = homePaths(resolveHome());
  let config;
  try { config = loadConfig(paths); } catch { config = undefined; }
  say(`Deleting "${CLUSTER_NAME}" ...`);
  await stopServer(paths);
  for (const p of [paths.pki, paths.data, paths.pidFile, paths.logFile, paths.configFile]) rmSync(p, { recursive: true, force: true });
  try { if (readdirSync(paths.home).length === 0) rmdirSync(paths.home); } catch { /* absent or not empty */ }
  const kubeconfig = kubeconfigPath();
  if (removeKubeconfigEntry({ path: kubeconfig, name: CLUSTER_NAME })) say(`Removed "${CLUSTER_NAME}" from ${displayPath(kubeconfig)}`);
  if (config?.datastoreEndpoint) say(`The external datastore ${config.datastoreEndpoint} was left as is`);
  say(`Removed all traces of the "${CLUSTER_NAME}" cluster.`);
}
