// The metrics server (upstream's metrics-server, in process): every resolution interval it reads each node's
// Summary (GET /stats/summary through the API server's node proxy, or straight from the simulated kubelets of
// this process), and keeps the latest NodeMetrics and PodMetrics for metrics.k8s.io (api/metrics.ts), which
// `kubectl top` and the HorizontalPodAutoscaler read. As metrics-server: a pod is reported once every one of
// its running containers has a CPU rate (two samples), samples older than a few intervals are dropped, labels are
// the node's and pod's own, and a node that cannot be scraped is skipped (logged once, not every interval).
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Client } from '../client/client.js';
import type { InformerFactory } from '../client/informer.js';
import { errorText, type LogFn } from '../client/log.js';
import { resources } from '../api/resources.js';
import type { KubeObject } from '../api/object.js';
import type { MetricsSource } from '../api/metrics.js';
import type { Summary } from '../kubelet/index.js';

export interface MetricsServerOptions {
  client: Client;
  informers: InformerFactory;
  signal: AbortSignal;
  log: LogFn;
  /** How often every node is read (metrics-server's --metric-resolution; default 15 s). */
  resolutionMs?: number;
  /** A node's Summary without a request, for nodes simulated in this process; undefined = ask its kubelet. */
  localSummary?: (nodeName: string) => Promise<Summary | undefined>;
  /** Nodes read at once (default 32). */
  concurrency?: number;
}

export interface RunningMetricsServer extends MetricsSource {
  /** Reads every node now (tests; the loop does this every resolution interval). */
  scrape(): Promise<void>;
}

interface NodeSample { metrics?: KubeObject; pods: KubeObject[]; at: number }

const cpuQuantity = (nanoCores: number) => `${Math.max(0, Math.round(nanoCores))}n`;
const memoryQuantity = (bytes: number) => { const b = Math.max(0, Math.round(bytes)); return b % 1024 === 0 ? `${b / 1024}Ki` : String(b); };
/** A Go duration as metav1.Duration prints it: "500ms", "15s", "1.5s", "1m30s". */
function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000), m = Math.floor((ms % 3_600_000) / 60_000), s = +((ms % 60_000) / 1000).toFixed(3);
  return h ? `${h}h${m}m${s}s` : m ? `${m}m${s}s` : `${s}s`;
}

export async function startMetricsServer(opts: MetricsServerOptions): Promise<RunningMetricsServer> {
  const resolutionMs = opts.resolutionMs ?? 15_000;
  const concurrency = opts.concurrency ?? 32;
  const nodes = opts.informers.informerFor<Node & KubeObject>(resources.nodes);
  const pods = opts.informers.informerFor<Pod & KubeObject>(resources.pods);
  opts.informers.start(opts.signal);
  // A signal of our own for the wait (Node 20's getMaxListeners rejects some shared AbortSignals).
  const syncAc = new AbortController();
  const onAbort = () => syncAc.abort();
  opts.signal.addEventListener('abort', onAbort, { once: true });
  await opts.informers.waitForCacheSync(syncAc.signal);
  opts.signal.removeEventListener('abort', onAbort);

  const samples = new Map<string, NodeSample>();
  const failing = new Set<string>();

  async function summaryOf(name: string): Promise<Summary | undefined> {
    const local = await opts.localSummary?.(name);
    if (local) return local;
    return opts.client.requestJson<Summary>({ method: 'GET', path: `/api/v1/nodes/${encodeURIComponent(name)}/proxy/stats/summary`, signal: opts.signal });
  }

  function toMetrics(s: Summary, nodeLabels: Record<string, string> | undefined): NodeSample & { complete: boolean } {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const window = goDuration(resolutionMs);
    let complete = true;
    let metrics: KubeObject | undefined;
    const n = s.node;
    if (n.cpu?.usageNanoCores !== undefined && n.memory?.workingSetBytes !== undefined) {
      metrics = {
        metadata: { name: n.nodeName, creationTimestamp: now, ...(nodeLabels ? { labels: nodeLabels } : {}) },
        timestamp: n.cpu.time, window,
        usage: { cpu: cpuQuantity(n.cpu.usageNanoCores), memory: memoryQuantity(n.memory.workingSetBytes) },
      } as KubeObject;
    } else complete = false;
    const podMetrics: KubeObject[] = [];
    for (const p of s.pods) {
      if (p.containers.length === 0) continue;
      if (p.containers.some((c) => c.cpu?.usageNanoCores === undefined || c.memory?.workingSetBytes === undefined)) { complete = false; continue; }
      const pod = pods.getByName(p.podRef.namespace, p.podRef.name);
      if (!pod || pod.metadata?.uid !== p.podRef.uid) continue;
      podMetrics.push({
        metadata: { name: p.podRef.name, namespace: p.podRef.namespace, creationTimestamp: now, ...(pod.metadata?.labels ? { labels: pod.metadata.labels } : {}) },
        timestamp: p.containers[0]!.cpu!.time, window,
        containers: p.containers.map((c) => ({ name: c.name, usage: { cpu: cpuQuantity(c.cpu!.usageNanoCores!), memory: memoryQuantity(c.memory!.workingSetBytes!) } })),
      } as KubeObject);
    }
    return { metrics, pods: podMetrics, at: Date.now(), complete };
  }

  /** Reads every node; resolves true when some sample lacked a rate (a second read soon completes it). */
  async function scrapeAll(): Promise<boolean> {
    const names = nodes.list().map((n) => n.metadata!.name!);
    let incomplete = false;
    const queue = [...names];
    const worker = async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        try {
          const s = await summaryOf(name);
          if (!s) continue;
          const sample = toMetrics(s, nodes.get(name)?.metadata?.labels);
          if (!sample.complete) incomplete = true;
          samples.set(name, sample);
          if (failing.delete(name)) opts.log({ level: 'info', msg: 'node metrics available again', node: name });
        } catch (e) {
          if (opts.signal.aborted) return;
          if (!failing.has(name)) { failing.add(name); opts.log({ level: 'warn', msg: 'cannot read node metrics', node: name, error: errorText(e) }); }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
    const stale = Date.now() - 3 * resolutionMs;
    const live = new Set(names);
    for (const [name, s] of samples) if (!live.has(name) || s.at < stale) samples.delete(name);
    return incomplete;
  }

  let timer: NodeJS.Timeout | undefined;
  const loop = async () => {
    if (opts.signal.aborted) return;
    const incomplete = await scrapeAll().catch((e) => { opts.log({ level: 'error', msg: 'metrics scrape failed', error: errorText(e) }); return false; });
    // A node seen for the first time has no CPU rate yet: read it again in a second rather than a whole interval.
    if (!opts.signal.aborted) timer = setTimeout(loop, incomplete ? Math.min(1000, resolutionMs) : resolutionMs);
  };
  void loop();
  opts.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });

  return {
    scrape: async () => { await scrapeAll(); },
    nodeMetrics: () => [...samples.values()].flatMap((s) => (s.metrics ? [s.metrics] : [])),
    podMetrics: (namespace) => [...samples.values()].flatMap((s) => s.pods).filter((p) => !namespace || p.metadata?.namespace === namespace),
  };
}
