// `nanokube delete`: stop, then remove the state under $NANOKUBE_HOME and the kubeconfig entries. Only the files
// nanokube made are removed (NANOKUBE_HOME may be a folder the user shares with other things): certificates, data,
// the node's runtime state, pod logs and volumes, the image store, the default StorageClass's volumes (storage/), the audit policy and log, and the key that
// encrypts Secrets at rest. An external datastore (--datastore-endpoint) is left as is: it is not ours to wipe, and
// so is that key, without which the Secrets stored there could not be read again.

import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLUSTER_NAME, displayPath, homePaths, loadConfig, resolveHome } from '../home.js';
import { kubeconfigPath, removeKubeconfigEntry } from '../kubeconfig.js';
import { stopServer } from './stop.js';

const say = (line: string) => process.stdout.write(`* ${line}\n`);

/** Runs the sandbox runtime's cleanup of what a previous server left in home, when it left anything. */
async function cleanUpNode(home: string): Promise<void> {
  if (!existsSync(join(home, 'runtime'))) return;
  const [{ createSandboxRuntime }, { ImageStore }] = await Promise.all([import('../../kubelet/index.js'), import('../../images/index.js')]);
  const rt = await createSandboxRuntime({ home, images: new ImageStore({ home }), log: () => undefined });
  await rt.shutdown();
}

export async function deleteCluster(): Promise<void> {
  const paths = homePaths(resolveHome());
  let config;
  try { config = loadConfig(paths); } catch { config = undefined; }
  say(`Deleting "${CLUSTER_NAME}" ...`);
  await stopServer(paths);
  // A server killed with -9 may have left containers, mounts and network namespaces under the home: the runtime
  // removes them first (as the next start would), so nothing is deleted through a mount.
  await cleanUpNode(paths.home);
  // And the service proxy's nftables table (a stopped server removed it already; a killed one did not).
  await (await import('../../proxy/index.js')).removeProxyRules(paths.home).catch(() => undefined);
  const { AUDIT_LOG_FILE, AUDIT_BACKUP_DIR, AUDIT_POLICY_FILE, ENCRYPTION_CONFIG_FILE } = await import('../../apiserver/index.js');
  const made = ['runtime', 'cni', 'kubelet', 'logs', 'images', 'storage', AUDIT_POLICY_FILE, AUDIT_LOG_FILE, AUDIT_BACKUP_DIR,
    ...(config?.datastoreEndpoint ? [] : [ENCRYPTION_CONFIG_FILE])].map((f) => join(paths.home, f));
  for (const p of [paths.pki, paths.data, paths.pidFile, paths.logFile, paths.configFile, ...made]) rmSync(p, { recursive: true, force: true });
  try { if (readdirSync(paths.home).length === 0) rmdirSync(paths.home); } catch { /* absent or not empty */ }
  const kubeconfig = kubeconfigPath();
  if (removeKubeconfigEntry({ path: kubeconfig, name: CLUSTER_NAME })) say(`Removed "${CLUSTER_NAME}" from ${displayPath(kubeconfig)}`);
  if (config?.datastoreEndpoint) say(`The external datastore ${config.datastoreEndpoint} was left as is, and so was the key its Secrets are encrypted with (${displayPath(join(paths.home, ENCRYPTION_CONFIG_FILE))})`);
  say(`Removed all traces of the "${CLUSTER_NAME}" cluster.`);
}
