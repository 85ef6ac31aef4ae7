// The service proxy's public surface (kube-proxy): src/cmd wires it beside the kubelet.
//   nftables mode (Linux, root, nft present): one table of our own per cluster, incremental atomic batches.
//   userspace mode (elsewhere): listeners in this process on NodePorts and LoadBalancer ports.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { InformerFactory } from '../client/informer.js';
import type { LogFn } from '../client/log.js';
import { NftablesProxier } from './nftables/proxier.js';
import { nftUnavailableReason } from './nftables/nft.js';
import { UserspaceProxier } from './userspace/proxier.js';
import { runProxy, type RunningProxy } from './proxy.js';

export type { RunningProxy, SyncRecord } from './proxy.js';
export { nftUnavailableReason } from './nftables/nft.js';
// Endpoint selection shared with the ingress controller: the same ready/serving/terminating rules as the proxy.
export { endpointsFor, usableEndpoints, serviceNameLabel, type Endpoint } from './service-ports.js';

export interface StartProxyOptions {
  informers: InformerFactory;
  /** NANOKUBE_HOME: names the nftables table, so two clusters on one host never share rules. */
  home: string;
  /** This node (endpoints on it are the local ones for traffic policy Local). */
  nodeName: string;
  /** Pod addresses; traffic to ClusterIPs from elsewhere is masqueraded. Default 10.244.0.0/16. */
  clusterCIDR?: string;
  /** Interfaces to pods (the CNI bridge), for NodePorts on 127.0.0.1 (see NftablesProxier). */
  podInterfaces?: () => string[];
  /** Force a mode (tests); default nftables when available. */
  mode?: 'nftables' | 'userspace';
  signal: AbortSignal;
  log: LogFn;
}

/** The nftables table of the cluster whose home this is: `nanokube-<6 hex>` (the same hash as its bridge's name). */
export function proxyTableName(home: string): string {
  return `nanokube-${createHash('sha256').update(path.resolve(home)).digest('hex').slice(0, 6)}`;
}

/** Removes the nftables table of the cluster whose home this is, if any (`nanokube delete` after a kill -9). */
export async function removeProxyRules(home: string): Promise<void> {
  if (nftUnavailableReason() !== undefined) return;
  const { nftDeleteTable } = await import('./nftables/nft.js');
  await nftDeleteTable('ip', proxyTableName(home));
}

export function startProxy(opts: StartProxyOptions): RunningProxy {
  const why = opts.mode === 'userspace' ? 'userspace mode requested' : nftUnavailableReason();
  const proxier = why === undefined
    ? new NftablesProxier({ table: proxyTableName(opts.home), nodeName: opts.nodeName, clusterCIDR: opts.clusterCIDR ?? '10.244.0.0/16', localnetInterfaces: opts.podInterfaces, log: opts.log })
    : new UserspaceProxier({ nodeName: opts.nodeName, log: opts.log });
  opts.log({ level: 'info', msg: 'service proxy starting', mode: proxier.mode, ...(why ? { why } : { table: proxyTableName(opts.home) }) });
  return runProxy({ informers: opts.informers, proxier, signal: opts.signal, log: opts.log });
}
