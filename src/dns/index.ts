// Cluster DNS (the role CoreDNS plays with the Corefile kubeadm deploys): the cluster.local zone from Services,
// EndpointSlices and Pods (records.ts), everything else forwarded to the host's resolvers with a cache
// (handler.ts), over UDP and TCP (server.ts), reached as the kube-dns Service 10.96.0.10 (kube-dns-service.ts).
//
// Where it listens: on the real node, the pod network's gateway (the cluster bridge's address, the first IP of the
// node's podCIDR) port 53, which pods reach directly and through the proxy's DNAT of 10.96.0.10; the kube-dns
// EndpointSlice points there. The runtime creates the bridge as soon as the node has a podCIDR; until the address
// exists the server retries binding. Tests and benches pass an explicit listen address (127.0.0.1:0).
import type { Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.js';
import { resources } from '../api/resources.js';
import type { Client } from '../client/client.js';
import type { InformerFactory } from '../client/informer.js';
import { errorText, type LogFn } from '../client/log.js';
import { ResponseCache } from './cache.js';
import { InformerClusterView } from './cluster-view.js';
import { DnsHandler } from './handler.js';
import { KubeDnsService } from './kube-dns-service.js';
import { DEFAULT_CLUSTER_DNS_IP, DEFAULT_CLUSTER_DOMAIN, DEFAULT_TTL } from './names.js';
import { ClusterRecords } from './records.js';
import { DnsServer } from './server.js';
import { UpstreamClient, hostUpstreams, type Upstream } from './upstream.js';

export { DEFAULT_CLUSTER_DNS_IP, DEFAULT_CLUSTER_DOMAIN, DEFAULT_TTL } from './names.js';
export { ClusterRecords, type ClusterView, type Reply } from './records.js';
export { DnsServer } from './server.js';
export { DnsHandler } from './handler.js';
export { ResponseCache } from './cache.js';
export { UpstreamClient, hostUpstreams, nameserversOf, type Upstream } from './upstream.js';
export { DNS_SERVICE_NAME, DNS_SERVICE_NAMESPACE, DNS_SLICE_NAME } from './kube-dns-service.js';

export interface ClusterDNSOptions {
  client: Client;
  informers: InformerFactory;
  signal: AbortSignal;
  log: LogFn;
  /** An explicit address (tests, benches); default: the pod network gateway of `nodeName`, port 53. */
  listen?: { host: string; port: number };
  /** The node whose podCIDR gives the gateway (default "nanokube"). */
  nodeName?: string;
  domain?: string;
  /** The kube-dns Service's ClusterIP (default 10.96.0.10). */
  clusterIP?: string;
  ttl?: number;
  podMode?: 'insecure' | 'verified' | 'disabled';
  /** Upstream servers; default: the nameservers of `resolvConf` (default /etc/resolv.conf). */
  upstreams?: Upstream[];
  resolvConf?: string;
  /** Manage the kube-dns Service and its EndpointSlice (default true). */
  manageService?: boolean;
}

export interface RunningClusterDNS {
  /** Resolves with the bound address once the server listens. */
  listening: Promise<{ host: string; port: number }>;
  readonly handler: DnsHandler;
  stop(): Promise<void>;
}

export function startClusterDNS(opts: ClusterDNSOptions): RunningClusterDNS {
  const log: LogFn = (e) => opts.log({ ...e, component: 'cluster-dns' });
  const clusterIP = opts.clusterIP ?? DEFAULT_CLUSTER_DNS_IP;
  const view = new InformerClusterView(opts.informers, { pods: opts.podMode === 'verified' });
  const records = new ClusterRecords(view, { domain: opts.domain ?? DEFAULT_CLUSTER_DOMAIN, ttl: opts.ttl ?? DEFAULT_TTL, dnsIP: clusterIP, podMode: opts.podMode });
  const client = new UpstreamClient();
  let listenHost: string | undefined = opts.listen?.host;
  // Read when forwarding: our own addresses never count as upstreams (a host resolv.conf naming us would loop).
  let upstreams: Upstream[] | undefined = opts.upstreams;
  const upstreamsNow = () => (upstreams ??= hostUpstreams({ resolvConf: opts.resolvConf, exclude: [clusterIP, ...(listenHost ? [listenHost] : [])] }));
  const handler = new DnsHandler({ records, upstreams: upstreamsNow, client, cache: new ResponseCache(), log });
  const service = opts.manageService === false ? undefined
    : new KubeDnsService({ client: opts.client, informers: opts.informers, signal: opts.signal, log, clusterIP, nodeName: opts.nodeName ?? 'nanokube' });
  opts.informers.start(opts.signal);

  let server: DnsServer | undefined;
  const listening = (async () => {
    // Answer only from synced caches: an empty cache would give NXDOMAIN for names that exist.
    await view.waitForSync(opts.signal);
    const where = opts.listen ?? { host: await gatewayOf(opts, log), port: 53 };
    listenHost = where.host;
    upstreams = opts.upstreams;
    for (let attempt = 0; ; attempt++) {
      if (opts.signal.aborted) throw new Error('cluster DNS stopped before it listened');
      const s = new DnsServer({ host: where.host, port: where.port, handler: (q) => handler.handle(q), log });
      try {
        await s.start();
        server = s;
        break;
      } catch (e) {
        // The bridge (and its address) appears when the runtime learns the podCIDR: wait for it.
        if ((e as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL' || opts.listen) throw e;
        if (attempt === 20) log({ level: 'info', msg: 'waiting for the pod network gateway address to listen on', address: where.host });
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    if (opts.signal.aborted) { await server.stop(); throw new Error('cluster DNS stopped'); }
    log({ level: 'info', msg: 'cluster DNS listening', address: `${where.host}:${server.address.port}`, service: `${clusterIP}:53` });
    service?.setEndpoint(where.host, server.address.port);
    return server.address;
  })();
  listening.catch((e) => { if (!opts.signal.aborted) log({ level: 'error', msg: 'cluster DNS failed to listen', error: errorText(e) }); });

  return {
    listening,
    handler,
    async stop() {
      await listening.catch(() => undefined);
      await server?.stop();
      client.close();
      await service?.done;
    },
  };
}

/** The first address of the node's podCIDR, once the node has one. */
async function gatewayOf(opts: ClusterDNSOptions, log: LogFn): Promise<string> {
  const nodes = opts.informers.informerFor<Node & KubeObject>(resources.nodes);
  opts.informers.start(opts.signal);
  const name = opts.nodeName ?? 'nanokube';
  for (let i = 0; ; i++) {
    const cidr = nodes.getByName(undefined, name)?.spec?.podCIDR;
    if (cidr) return firstIP(cidr);
    if (opts.signal.aborted) throw new Error('stopped');
    if (i === 40) log({ level: 'info', msg: 'waiting for the node podCIDR', node: name });
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function firstIP(cidr: string): string {
  const [addr, bits] = cidr.split('/');
  const n = addr!.split('.').reduce((a, p) => a * 256 + Number(p), 0);
  const size = 2 ** (32 - Number(bits));
  const first = Math.floor(n / size) * size + 1;
  return [24, 16, 8, 0].map((s) => Math.floor(first / 2 ** s) % 256).join('.');
}
export { FakeUpstream, query as dnsQuery } from './testing.js';
