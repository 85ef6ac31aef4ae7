// Probes and lifecycle handlers for the kubelet: `new ProbeManager({ runtime, clock, recordEvent, onUpdate })`
// implements the kubelet's ProbeHooks (sync / ready / started / takeRestart / removePod / stop);
// `new LifecycleHandlerRunner({ runtime, clock })` implements LifecycleHooks (postStart, preStop).
export { ProbeManager, type ProbeManagerOptions, type ProbeUpdate, type ProbeType, type Result, type RunningContainer } from './probe-manager.js';
export { LifecycleHandlerRunner, LifecycleHookError, formatPod, type LifecycleRunnerOptions } from './lifecycle.js';
export { runProbe, resolvePort, type ProbeTarget } from './run-probe.js';
export { httpProbe, httpTarget, PROBE_USER_AGENT, LIFECYCLE_USER_AGENT } from './http-probe.js';
export { tcpProbe } from './tcp-probe.js';
export { execProbe, type ExecRunner } from './exec-probe.js';
export { grpcProbe } from './grpc-probe.js';
export type { ProbeOutcome, ProbeResult } from './outcome.js';
export { kubeletProbes, containerRef, type KubeletProbesOptions } from './kubelet-hooks.js';
