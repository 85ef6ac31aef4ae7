// Loads a kubeconfig (the file kubectl uses) into httpTransport options, for components running out of process
// (`nanokube agent`). Supports what our own kubeconfigs and common ones contain: inline *-data fields, file paths
// (relative to the kubeconfig's folder), bearer tokens (token / tokenFile), insecure-skip-tls-verify and
// tls-server-name. Exec and auth-provider plugins are not supported and are reported as such.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { HttpTransportOptions } from './transport.js';

interface NamedCluster { name: string; cluster: Record<string, any> }
interface NamedUser { name: string; user: Record<string, any> }
interface NamedContext { name: string; context: { cluster: string; user: string; namespace?: string } }
export interface Kubeconfig {
  clusters?: NamedCluster[]; users?: NamedUser[]; contexts?: NamedContext[]; 'current-context'?: string;
}

export interface LoadedKubeconfig {
  transport: HttpTransportOptions;
  /** The context's default namespace ("default" when unset). */
  namespace: string;
  contextName: string;
}

/** $KUBECONFIG's first entry, else ~/.kube/config. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.KUBECONFIG?.split(path.delimiter).find(Boolean);
  return fromEnv ?? path.join(os.homedir(), '.kube', 'config');
}

export function loadKubeconfig(file: string = defaultKubeconfigPath(), opts: { context?: string } = {}): LoadedKubeconfig {
  const text = fs.readFileSync(file, 'utf8');
  return kubeconfigToTransport(parse(text) as Kubeconfig, { ...opts, baseDir: path.dirname(path.resolve(file)) });
}

export function kubeconfigToTransport(cfg: Kubeconfig, opts: { context?: string; baseDir?: string } = {}): LoadedKubeconfig {
  const baseDir = opts.baseDir ?? process.cwd();
  const contextName = opts.context ?? cfg['current-context'];
  if (!contextName) throw new Error('kubeconfig has no current-context');
  const ctx = cfg.contexts?.find((c) => c.name === contextName)?.context;
  if (!ctx) throw new Error(`context "${contextName}" not found in kubeconfig`);
  const cluster = cfg.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster) throw new Error(`cluster "${ctx.cluster}" not found in kubeconfig`);
  const user = cfg.users?.find((u) => u.name === ctx.user)?.user ?? {};
  if (!cluster.server) throw new Error(`cluster "${ctx.cluster}" has no server`);
  if (user.exec || user['auth-provider']) throw new Error(`user "${ctx.user}": exec and auth-provider credentials are not supported`);

  const read = (dataField: unknown, fileField: unknown): string | undefined => {
    if (typeof dataField === 'string' && dataField) return Buffer.from(dataField, 'base64').toString('utf8');
    if (typeof fileField === 'string' && fileField) return fs.readFileSync(path.resolve(baseDir, fileField), 'utf8');
    return undefined;
  };
  const transport: HttpTransportOptions = { server: String(cluster.server) };
  const ca = read(cluster['certificate-authority-data'], cluster['certificate-authority']);
  if (ca) transport.ca = ca;
  if (cluster['insecure-skip-tls-verify']) transport.insecureSkipTLSVerify = true;
  if (cluster['tls-server-name']) transport.tlsServerName = String(cluster['tls-server-name']);
  const cert = read(user['client-certificate-data'], user['client-certificate']);
  const key = read(user['client-key-data'], user['client-key']);
  if (cert) transport.cert = cert;
  if (key) transport.key = key;
  const token = typeof user.token === 'string' && user.token ? user.token
    : typeof user.tokenFile === 'string' && user.tokenFile ? fs.readFileSync(path.resolve(baseDir, user.tokenFile), 'utf8').trim() : undefined;
  if (token) transport.token = token;
  return { transport, namespace: ctx.namespace || 'default', contextName };
}
