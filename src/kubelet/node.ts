// The real node as `nanokube start` runs it: the image store, the sandbox runtime (runc + CNI as root on Linux,
// plain host processes otherwise; it first cleans up what a killed predecessor left), the kubelet's HTTPS server
// (its port published in the Node's daemonEndpoints) and the kubelet itself. Everything heavy is imported here, so
// src/cmd imports this file lazily and a control plane without a node never loads it.
import { join } from 'node:path';
import type { Client } from '../client/client.js';
import type { LogFn } from '../client/log.js';
import type { KeyPairPem } from '../pki/index.js';
import { startKubelet, DEFAULT_NODE_NAME, type Kubelet } from './kubelet.js';
import type { ContainerRuntime } from './runtime/runtime.js';

export interface NodeOptions {
  client: Client;
  home: string;
  /** The cluster CA (the kubelet server's serving certificate is issued by it, its clients must chain to it). */
  ca: KeyPairPem;
  signal: AbortSignal;
  log: LogFn;
  nodeName?: string;
  /** The kubelet server's port: default 10250, any free one when that is taken; 0 = any free one. */
  kubeletPort?: number;
  /** Force the runtime's mode (tests); default: runc when possible. */
  runtimeMode?: 'runc' | 'process';
}

export interface RunningNode {
  kubelet: Kubelet;
  runtime: ContainerRuntime & { mode: 'runc' | 'process'; fallbackReason?: string };
  kubeletPort: number;
  /** Stops every pod, the runtime's processes, and the kubelet server (`nanokube stop`). */
  stop(): Promise<void>;
}

export async function startNode(opts: NodeOptions): Promise<RunningNode> {
  const nodeName = opts.nodeName ?? DEFAULT_NODE_NAME;
  const [{ ImageStore }, { createSandboxRuntime }, { startKubeletServer }, { ensureKubeletServingCertificate }, { primaryIPv4 }, { StatsProvider }] = await Promise.all([
    import('../images/index.js'), import('./runtime/sandbox/index.js'), import('./server/index.js'), import('../pki/index.js'), import('./nodestatus/host-node.js'),
    import('./stats/stats-provider.js'),
  ]);
  const images = new ImageStore({ home: opts.home });
  const runtime = await createSandboxRuntime({ home: opts.home, images, log: opts.log, ...(opts.runtimeMode ? { mode: opts.runtimeMode } : {}) });
  const withCIDR = Object.assign(runtime, {
    // The runtime learns the podCIDR through CRI's UpdateRuntimeConfig shape when it has it, else setPodCIDR.
    updateRuntimeConfig: runtime.updateRuntimeConfig?.bind(runtime) ?? (async (c: { podCIDR: string }) => { runtime.setPodCIDR(c.podCIDR); }),
  });
  const serving = await ensureKubeletServingCertificate({ dir: join(opts.home, 'kubelet', 'pki'), ca: opts.ca, nodeName, altNames: [primaryIPv4()] });
  let kubelet: Kubelet | undefined;
  const stats = new StatsProvider({ nodeName, runtime });
  const serverOpts = { runtime, tls: { cert: serving.cert, key: serving.key, clientCA: opts.ca.cert }, log: opts.log, pods: () => kubelet?.pods() ?? [],
    stats: () => stats.summary() };
  let server;
  const wanted = opts.kubeletPort ?? 10250;
  try {
    server = await startKubeletServer({ ...serverOpts, port: wanted });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || wanted === 0) { await runtime.shutdown(); throw e; }
    opts.log({ level: 'warn', msg: 'kubelet port taken; using a free one', port: wanted });
    server = await startKubeletServer({ ...serverOpts, port: 0 });
  }
  try {
    kubelet = await startKubelet({ client: opts.client, runtime: withCIDR, home: opts.home, nodeName, kubeletPort: server.port, signal: opts.signal, log: opts.log });
  } catch (e) {
    await server.close();
    await runtime.shutdown();
    throw e;
  }
  const k = kubelet;
  let stopping: Promise<void> | undefined;
  return {
    kubelet: k, runtime: withCIDR, kubeletPort: server.port,
    stop() {
      stopping ??= (async () => {
        await k.stop();
        await server.close();
      })();
      return stopping;
    },
  };
}
