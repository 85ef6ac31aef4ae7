// The kubelet component's public surface: src/cmd, src/cli and other components import only this file.
export {
  startSimulatedNodes, podsByNodeIndex, EXIT_AFTER_ANNOTATION, SIMULATED_LABEL, SIMULATED_LABEL_VALUE, nodePodCIDR, nodeInternalIP,
  type SimulatedNodes, type SimulatedNodesOptions,
} from './simulated/index.js';
export { nextSimulatedNodes, SIMULATED_NODE_PREFIX } from './simulated/node-template.js';
export { startKubelet, DEFAULT_NODE_NAME, type Kubelet, type KubeletOptions } from './kubelet.js';
export type { ContainerRuntime, ContainerConfig, PodSandboxConfig } from './runtime/runtime.js';
/** Test double: an in-memory runtime (no process runs). */
export { FakeRuntime, type FakeProgram } from './testing.js';
/** Volumes, probes and lifecycle hooks the kubelet plugs in (KubeletOptions.volumes/probes/lifecycle). */
export { VolumeManager, volumeHooks, apiTokenSource, type VolumeManagerOptions, type ManagedVolumeHooks } from './volumes/index.js';
export { ProbeManager, LifecycleHandlerRunner, kubeletProbes, type ProbeManagerOptions } from './prober/index.js';
/** Container env as upstream's kubelet makes it (also used by tests against a real API server). */
export { apiObjectSource, makeEnvironmentVariables, listServicesForPod, ContainerConfigError, type ObjectSource } from './envvars/index.js';
export { startNode, type NodeOptions, type RunningNode } from './node.js';
/** The real node's runtime: runc sandboxes with CNI networking, or plain host processes where that cannot run. */
export { createSandboxRuntime, runcUnavailableReason, clusterNetworkNames, type SandboxRuntime, type SandboxRuntimeOptions } from './runtime/sandbox/index.js';
/** The kubelet's own HTTPS server (containerLogs, exec, attach, portForward, healthz, pods) the apiserver proxies to. */
export { startKubeletServer, type KubeletServerOptions, type RunningKubeletServer } from './server/index.js';
/** Test double for the kubelet server: records for sandboxes/containers, exec as host processes, port-forward to host ports. */
export { FakeRuntime as StreamingFakeRuntime, criLogLine } from './server/testing.js';
