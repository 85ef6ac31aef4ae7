// `nanokube status`, shaped like `minikube status`. Exit code is a bit set as in minikube: 1 = host (the server
// process) not running, 2 = apiserver not healthy or the node's kubelet not Ready, 4 = kubeconfig not pointing at the cluster; 0 = all good.

import { existsSync } from 'node:fs';
import { apiServerUrl, CLUSTER_NAME, homePaths, loadConfig, readPid, resolveHome } from '../home.js';
import { isNanokubeRunning } from '../process.js';
import { nodeReady, probe } from '../health.js';
import { kubeconfigPath, kubeconfigStatus } from '../kubeconfig.js';

export async function status(): Promise<number> {
  const paths = homePaths(resolveHome());
  const config = loadConfig(paths);
  const lines = [CLUSTER_NAME, 'type: Control Plane'];
  if (!config || !existsSync(paths.pki)) {
    lines.push('host: Nonexistent', 'apiserver: Nonexistent', 'kubeconfig: Nonexistent');
    process.stdout.write(lines.join('\n') + '\n');
    return 7;
  }
  const pid = readPid(paths);
  const hostRunning = pid !== undefined && isNanokubeRunning(pid);
  let code = 0;
  if (!hostRunning) {
    lines.push('host: Stopped', 'kubelet: Stopped', 'apiserver: Stopped', 'kubeconfig: Stopped');
    code = 7;
  } else {
    lines.push('host: Running');
    const url = apiServerUrl(config);
    const { readClusterPki } = await import('../../pki/index.js');
    const pki = readClusterPki(paths.pki);
    const target = pki ? { url, ca: pki.caCert, cert: pki.admin.cert, key: pki.admin.key } : undefined;
    const ready = target ? await probe(target, '/readyz') : undefined;
    // As minikube's: the kubelet line says whether the node's kubelet is up (here: node "nanokube" posts Ready).
    // A busy machine may answer slowly: a generous timeout and one more try before saying Stopped.
    const kubelet = ready === 200 && target ? (await nodeReady(target, 'nanokube', 5000) || await nodeReady(target, 'nanokube', 5000)) : undefined;
    lines.push(`kubelet: ${kubelet ? 'Running' : 'Stopped'}`);
    lines.push(`apiserver: ${ready === 200 ? 'Running' : ready === undefined ? 'Stopped' : 'Error'}`);
    if (ready !== 200 || !kubelet) code |= 2;
    const kc = kubeconfigStatus({ path: kubeconfigPath(), name: CLUSTER_NAME, server: url });
    lines.push(`kubeconfig: ${kc}`);
    if (kc !== 'Configured') code |= 4;
  }
  process.stdout.write(lines.join('\n') + '\n');
  return code;
}
