// The state folder of a nanokube installation ($NANOKUBE_HOME, default ~/.nanokube), like minikube's profile dir:
//   pki/         cluster certificates (src/pki)
//   data/        the embedded datastore (SQLite), unless an external --datastore-endpoint is remembered
//   server.pid   pid of the running server process (written by the server itself)
//   server.log   the server's structured log, one line per event
//   config.json  flags remembered from the last `start`, so a plain `start` after `stop` reuses them

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './errors.js';

export const CLUSTER_NAME = 'nanokube';
export const DEFAULT_API_PORT = 6443;
/** Loopback by default: a laptop cluster should not be reachable from the network unless asked (--listen-address). */
export const DEFAULT_LISTEN_ADDRESS = '127.0.0.1';

export interface ClusterConfig {
  apiPort: number;
  listenAddress: string;
  /** External datastore URL (e.g. http://127.0.0.1:2379 for etcd); absent = embedded SQLite under data/. */
  datastoreEndpoint?: string;
  simulatedNodes?: number;
  /** The cluster CIDR Nodes' podCIDRs (/24 each) come from; absent = 10.244.0.0/16. */
  clusterCIDR?: string;
  /** The ingress controller's HTTP and HTTPS ports; absent = 80 and 443; 0 = no listener. */
  ingressHttpPort?: number;
  ingressHttpsPort?: number;
  /** The web dashboard's port on 127.0.0.1; absent or 0 = any free one (`nanokube dashboard` finds it). */
  dashboardPort?: number;
  /** The API server's concurrency limit, shared by the API Priority and Fairness levels; absent = 200. */
  maxRequestsInflight?: number;
}

export interface HomePaths {
  home: string; pki: string; data: string; pidFile: string; logFile: string; configFile: string;
}

export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.NANOKUBE_HOME && env.NANOKUBE_HOME.length > 0 ? env.NANOKUBE_HOME : join(homedir(), '.nanokube');
}

export function homePaths(home: string): HomePaths {
  return {
    home, pki: join(home, 'pki'), data: join(home, 'data'),
    pidFile: join(home, 'server.pid'), logFile: join(home, 'server.log'), configFile: join(home, 'config.json'),
  };
}

/** `~/x` for paths under the user's home: shorter progress lines. */
export function displayPath(p: string): string {
  const h = homedir();
  return h && (p === h || p.startsWith(h + '/')) ? '~' + p.slice(h.length) : p;
}

export function defaultConfig(): ClusterConfig {
  return { apiPort: DEFAULT_API_PORT, listenAddress: DEFAULT_LISTEN_ADDRESS };
}

/** The remembered config, or undefined if this home never had a `start`. */
export function loadConfig(paths: HomePaths): ClusterConfig | undefined {
  if (!existsSync(paths.configFile)) return undefined;
  let raw: unknown;
  try { raw = JSON.parse(readFileSync(paths.configFile, 'utf8')); } catch {
    throw new CliError(`${displayPath(paths.configFile)} is not valid JSON; fix or remove it`);
  }
  const c = raw as Partial<ClusterConfig>;
  const d = defaultConfig();
  return {
    apiPort: typeof c.apiPort === 'number' ? c.apiPort : d.apiPort,
    listenAddress: typeof c.listenAddress === 'string' ? c.listenAddress : d.listenAddress,
    ...(typeof c.datastoreEndpoint === 'string' && c.datastoreEndpoint ? { datastoreEndpoint: c.datastoreEndpoint } : {}),
    ...(typeof c.simulatedNodes === 'number' ? { simulatedNodes: c.simulatedNodes } : {}),
    ...(typeof c.clusterCIDR === 'string' && c.clusterCIDR ? { clusterCIDR: c.clusterCIDR } : {}),
    ...(typeof c.ingressHttpPort === 'number' ? { ingressHttpPort: c.ingressHttpPort } : {}),
    ...(typeof c.ingressHttpsPort === 'number' ? { ingressHttpsPort: c.ingressHttpsPort } : {}),
    ...(typeof c.dashboardPort === 'number' ? { dashboardPort: c.dashboardPort } : {}),
    ...(typeof c.maxRequestsInflight === 'number' ? { maxRequestsInflight: c.maxRequestsInflight } : {}),
  };
}

export function saveConfig(paths: HomePaths, config: ClusterConfig): void {
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  const tmp = `${paths.configFile}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, paths.configFile);
}

export function readPid(paths: HomePaths): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(paths.pidFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch { return undefined; }
}

export function writePid(paths: HomePaths, pid: number): void {
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  writeFileSync(paths.pidFile, `${pid}\n`, { mode: 0o644 });
}

/** Removes the pid file only if it still names `pid` (a newer server may have replaced it). */
export function removePid(paths: HomePaths, pid?: number): void {
  if (pid !== undefined && readPid(paths) !== pid) return;
  rmSync(paths.pidFile, { force: true });
}

/** The URL clients use: loopback when the server listens on a wildcard address. */
export function apiServerUrl(config: ClusterConfig): string {
  const a = config.listenAddress;
  const host = a === '0.0.0.0' || a === '::' || a === '' ? '127.0.0.1' : a.includes(':') ? `[${a}]` : a;
  return `https://${host}:${config.apiPort}`;
}

/** The server's ingress options from the remembered ports: 0 turns a listener off. */
export function ingressPorts(c: Pick<ClusterConfig, 'ingressHttpPort' | 'ingressHttpsPort'>): { ingressHttpPort?: number | false; ingressHttpsPort?: number | false } {
  const one = (p: number | undefined) => (p === 0 ? false : p);
  return {
    ...(c.ingressHttpPort !== undefined ? { ingressHttpPort: one(c.ingressHttpPort) } : {}),
    ...(c.ingressHttpsPort !== undefined ? { ingressHttpsPort: one(c.ingressHttpsPort) } : {}),
  };
}
