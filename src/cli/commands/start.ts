// `nanokube start`: certificates on first start, then the server process (detached by default), a wait for a
// healthy /readyz, and the kubeconfig entry. Progress is one line per step, as minikube prints it.

import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError, portInUse } from '../errors.js';
import {
  apiServerUrl, CLUSTER_NAME, type ClusterConfig, defaultConfig, displayPath, homePaths, type HomePaths, loadConfig,
  ingressPorts, readPid, removePid, resolveHome, saveConfig,
} from '../home.js';
import { isNanokubeRunning, terminate } from '../process.js';
import { isPortFree } from '../port.js';
import { waitNodeReady, waitReady, type HealthTarget } from '../health.js';
import { kubeconfigPath, writeKubeconfigEntry } from '../kubeconfig.js';
import type { ClusterPki } from '../../pki/index.js';

/** The flags of `nanokube start`: any setting of the cluster's config (those not given keep their remembered value). */
export interface StartFlags extends Partial<ClusterConfig> {
  foreground?: boolean;
}

/** How long a server may take to become ready before `start` gives up (first start with etcd can be slow). */
const READY_TIMEOUT_MS = 60_000;

const say = (line: string) => process.stdout.write(`* ${line}\n`);

/** How long start waits for node `nanokube` to be Ready before saying so and returning anyway. */
const NODE_READY_TIMEOUT_MS = 30_000;

async function awaitNode(target: HealthTarget, t0: number, paths: HomePaths, abort?: () => string | undefined): Promise<void> {
  const r = await waitNodeReady(target, 'nanokube', { timeoutMs: NODE_READY_TIMEOUT_MS, abort });
  if (r === 'ready') say(`Node "nanokube" is Ready (${((performance.now() - t0) / 1000).toFixed(2)}s)`);
  else say(`Node "nanokube" is not Ready yet; see ${displayPath(paths.logFile)}`);
}

/** Flags given now override the remembered ones; the result is remembered for the next plain `start`. */
export function effectiveConfig(remembered: ClusterConfig | undefined, flags: StartFlags): ClusterConfig {
  const base = remembered ?? defaultConfig();
  const c: ClusterConfig = {
    apiPort: flags.apiPort ?? base.apiPort,
    listenAddress: flags.listenAddress ?? base.listenAddress,
  };
  const endpoint = flags.datastoreEndpoint ?? base.datastoreEndpoint;
  if (endpoint) c.datastoreEndpoint = endpoint;
  const nodes = flags.simulatedNodes ?? base.simulatedNodes;
  if (nodes !== undefined) c.simulatedNodes = nodes;
  const cidr = flags.clusterCIDR ?? base.clusterCIDR;
  if (cidr) c.clusterCIDR = cidr;
  const ingressHttp = flags.ingressHttpPort ?? base.ingressHttpPort;
  if (ingressHttp !== undefined) c.ingressHttpPort = ingressHttp;
  const ingressHttps = flags.ingressHttpsPort ?? base.ingressHttpsPort;
  if (ingressHttps !== undefined) c.ingressHttpsPort = ingressHttps;
  const dashboardPort = flags.dashboardPort ?? base.dashboardPort;
  if (dashboardPort !== undefined) c.dashboardPort = dashboardPort;
  const maxRequestsInflight = flags.maxRequestsInflight ?? base.maxRequestsInflight;
  if (maxRequestsInflight !== undefined) c.maxRequestsInflight = maxRequestsInflight;
  return c;
}

function datastoreLabel(paths: HomePaths, c: ClusterConfig): string {
  return c.datastoreEndpoint ? `etcd ${c.datastoreEndpoint}` : `sqlite ${displayPath(paths.data)}`;
}

function configureKubeconfig(pki: Pick<ClusterPki, 'caCert' | 'admin'>, url: string): void {
  writeKubeconfigEntry({
    path: kubeconfigPath(), name: CLUSTER_NAME, server: url, ca: pki.caCert, cert: pki.admin.cert, key: pki.admin.key,
  });
  say(`kubectl is now configured to use "${CLUSTER_NAME}" cluster and "default" namespace by default`);
}

/** Reads what the server wrote to server.log after `offset` and turns its startup error into one line. */
function explainServerFailure(paths: HomePaths, offset: number, port: number): CliError {
  let text = '';
  try { text = readFileSync(paths.logFile, 'utf8').slice(offset); } catch { /* no log */ }
  const lines = text.split('\n').filter(Boolean);
  // runServer's own 'control plane failed' line names the cause; other error lines are a fallback.
  let failure: { error?: string; code?: string } | undefined;
  for (const line of lines) {
    try {
      const e = JSON.parse(line) as { level?: string; msg?: string; error?: string; code?: string };
      if (e.level === 'error' && (e.msg === 'control plane failed' || failure === undefined)) failure = e;
    } catch { /* not ours (e.g. a Node.js crash trace) */ }
  }
  if (failure?.code === 'EADDRINUSE' || /EADDRINUSE/.test(failure?.error ?? text)) return portInUse(port);
  const why = failure?.error ?? lines.filter((l) => !l.startsWith('{')).find((l) => /Error/.test(l)) ?? 'it exited';
  return new CliError(`the server failed to start: ${why}; see ${displayPath(paths.logFile)}`);
}

export async function start(flags: StartFlags): Promise<void> {
  const t0 = performance.now();
  (await import('../native-addons.js')).assertNativeAddons();
  const paths = homePaths(resolveHome());
  const config = effectiveConfig(loadConfig(paths), flags);
  const url = apiServerUrl(config);

  const runningPid = readPid(paths);
  if (runningPid !== undefined) {
    if (isNanokubeRunning(runningPid)) {
      const running = loadConfig(paths) ?? config;
      say(`nanokube is already running on ${apiServerUrl(running)} (pid ${runningPid})`);
      return;
    }
    removePid(paths, runningPid); // left over from a crash or reboot
  }

  const { ensureClusterPki } = await import('../../pki/index.js');
  const pki = await ensureClusterPki({
    dir: paths.pki,
    onGenerate: (what) => say(what.includes('ca') ? 'Generating certificates (first start)' : `Renewing certificates (${what.join(', ')})`),
  });

  if (!(await isPortFree(config.listenAddress, config.apiPort))) throw portInUse(config.apiPort);
  saveConfig(paths, config);
  say(`Starting control plane on ${url} (datastore: ${datastoreLabel(paths, config)})`);

  const target: HealthTarget = { url, ca: pki.caCert, cert: pki.admin.cert, key: pki.admin.key };
  const serverOpts = {
    home: paths.home, listenAddress: config.listenAddress, port: config.apiPort,
    ...(config.datastoreEndpoint ? { datastoreEndpoint: config.datastoreEndpoint } : {}),
    ...(config.simulatedNodes !== undefined ? { simulatedNodes: config.simulatedNodes } : {}),
    ...(config.clusterCIDR ? { clusterCIDR: config.clusterCIDR } : {}),
    ...ingressPorts(config),
    dashboard: { port: config.dashboardPort ?? 0 },
    ...(config.maxRequestsInflight !== undefined ? { flowControl: { serverConcurrencyLimit: config.maxRequestsInflight } } : {}),
    node: true,
  };

  if (flags.foreground) {
    const { runServer } = await import('../../cmd/server.js');
    await runServer({
      ...serverOpts,
      onReady: async () => {
        const ready = await waitReady(target, { timeoutMs: READY_TIMEOUT_MS });
        if (ready !== 'ready') throw new CliError(`the API server did not become ready; see the log lines above`);
        say(`API server is healthy (${((performance.now() - t0) / 1000).toFixed(2)}s)`);
        await awaitNode(target, t0, paths);
        configureKubeconfig(pki, url);
        say('Running in the foreground; press Ctrl-C to stop');
      },
    }).catch((err) => {
      const e = err as NodeJS.ErrnoException;
      if (e?.code === 'EADDRINUSE') throw portInUse(config.apiPort);
      throw err;
    });
    return;
  }

  // Daemonize: the server runs detached in its own session, logging to server.log; we watch it until ready.
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  let logOffset = 0;
  try { logOffset = statSync(paths.logFile).size; } catch { /* new log */ }
  const logFd = openSync(paths.logFile, 'a', 0o600);
  const mainJs = fileURLToPath(new URL('../main.js', import.meta.url));
  const args = [mainJs, 'server', '--api-port', String(config.apiPort), '--listen-address', config.listenAddress];
  if (config.datastoreEndpoint) args.push('--datastore-endpoint', config.datastoreEndpoint);
  if (config.simulatedNodes !== undefined) args.push('--simulated-nodes', String(config.simulatedNodes));
  if (config.clusterCIDR) args.push('--cluster-cidr', config.clusterCIDR);
  if (config.ingressHttpPort !== undefined) args.push('--ingress-http-port', String(config.ingressHttpPort));
  if (config.ingressHttpsPort !== undefined) args.push('--ingress-https-port', String(config.ingressHttpsPort));
  if (config.dashboardPort !== undefined) args.push('--dashboard-port', String(config.dashboardPort));
  if (config.maxRequestsInflight !== undefined) args.push('--max-requests-inflight', String(config.maxRequestsInflight));
  const child = spawn(process.execPath, args, {
    detached: true, stdio: ['ignore', logFd, logFd], env: { ...process.env, NANOKUBE_HOME: paths.home },
  });
  closeSync(logFd);
  let exited: string | undefined;
  child.on('exit', (code, signal) => { exited = signal ? `signal ${signal}` : `exit code ${code}`; });
  child.on('error', (err) => { exited = err.message; });
  child.unref();

  const ready = await waitReady(target, { timeoutMs: READY_TIMEOUT_MS, abort: () => exited });
  if (ready !== 'ready') {
    if (ready === 'timeout' && child.pid !== undefined) {
      await terminate(child.pid, 5000);
      removePid(paths, child.pid);
      throw new CliError(`the API server did not become ready within ${READY_TIMEOUT_MS / 1000}s; see ${displayPath(paths.logFile)}`);
    }
    if (child.pid !== undefined) removePid(paths, child.pid);
    throw explainServerFailure(paths, logOffset, config.apiPort);
  }
  say(`API server is healthy (${((performance.now() - t0) / 1000).toFixed(2)}s)`);
  await awaitNode(target, t0, paths, () => exited);
  configureKubeconfig(pki, url);
}
