// The kubelet component's public surface: src/cmd, src/cli and other components import only this file.
// The real node's heavy parts (the kubelet, the sandbox runtime, the kubelet server) are behind async functions
// that import them on first use, so a process running only simulated nodes (or none) never loads them.
import type { KubeletOptions as KOpts, Kubelet as K } from './kubelet.js';
import type { NodeOptions as NOpts, RunningNode as RN } from './node.js';
import type { SandboxRuntimeOptions as SOpts, SandboxRuntime as SR } from './runtime/sandbox/index.js';
import type { KubeletServerOptions as SrvOpts, RunningKubeletServer as RKS } from './server/index.js';
export {
  startSimulatedNodes, podsByNodeIndex, EXIT_AFTER_ANNOTATION, EXIT_CODE_ANNOTATION, SIMULATED_CPU_USAGE_ANNOTATION, SIMULATED_MEMORY_USAGE_ANNOTATION, SIMULATED_LABEL, SIMULATED_LABEL_VALUE, nodePodCIDR, nodeInternalIP,
  type SimulatedNodes, type SimulatedNodesOptions,
} from './simulated/index.js';
export { nextSimulatedNodes, SIMULATED_NODE_PREFIX } from './simulated/node-template.js';
export type { Kubelet, KubeletOptions } from './kubelet.js';
export { DEFAULT_NODE_NAME } from './node-name.js';
export async function startKubelet(opts: KOpts): Promise<K> { return (await import('./kubelet.js')).startKubelet(opts); }
export type { ContainerRuntime, ContainerConfig, PodSandboxConfig } from './runtime/runtime.js';
/** Test double: an in-memory runtime (no process runs). */
export { FakeRuntime, type FakeProgram } from './testing.js';
/** Volumes, probes and lifecycle hooks the kubelet plugs in (KubeletOptions.volumes/probes/lifecycle). */
export { VolumeManager, volumeHooks, apiTokenSource, type VolumeManagerOptions, type ManagedVolumeHooks } from './volumes/index.js';
export { ProbeManager, LifecycleHandlerRunner, kubeletProbes, type ProbeManagerOptions } from './prober/index.js';
/** Container env as upstream's kubelet makes it (also used by tests against a real API server). */
export { apiObjectSource, makeEnvironmentVariables, listServicesForPod, ContainerConfigError, type ObjectSource } from './envvars/index.js';
export type { NodeOptions, RunningNode } from './node.js';
export async function startNode(opts: NOpts): Promise<RN> { return (await import('./node.js')).startNode(opts); }
/** The real node's runtime: runc sandboxes with CNI networking, or plain host processes where that cannot run. */
export type { SandboxRuntime, SandboxRuntimeOptions } from './runtime/sandbox/index.js';
export async function createSandboxRuntime(opts: SOpts): Promise<SR> { return (await import('./runtime/sandbox/index.js')).createSandboxRuntime(opts); }
export { runcUnavailableReason } from './runtime/sandbox/support.js';
export { parseResolvConf, readHostResolvConf, defaultHostResolvConfPath, podDNSConfig } from './dns-config.js';
export { clusterNetworkNames } from './runtime/sandbox/cni.js';
/** The kubelet's own HTTPS server (containerLogs, exec, attach, portForward, healthz, pods) the apiserver proxies to. */
export type { KubeletServerOptions, RunningKubeletServer } from './server/index.js';
export async function startKubeletServer(opts: SrvOpts): Promise<RKS> { return (await import('./server/index.js')).startKubeletServer(opts); }
/** Test double for the kubelet server: records for sandboxes/containers, exec as host processes, port-forward to host ports. */
export { FakeRuntime as StreamingFakeRuntime, criLogLine } from './server/testing.js';
/** The Summary API's shape (GET /stats/summary), what the metrics server reads from every kubelet. */
export type { Summary, PodStats, NodeStats, CPUStats, MemoryStats } from './stats/summary.js';
