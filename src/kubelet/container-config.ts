// The CRI configs the kubelet hands the runtime for a pod (upstream's kuberuntime generatePodSandboxConfig and
// generateContainerConfig): metadata, the labels and annotations every runtime keeps (io.kubernetes.*), log
// paths (<logDirectory>/<container>/<attempt>.log under logs/pods/<namespace>_<name>_<uid>), namespaces, port
// mappings, the QoS cgroup parent, Linux resources from requests and limits, and the security context
// (security-context.ts).
import { milliValue, value } from '../api/quantity.js';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ResolvedContainerConfig } from './hooks.js';
import type { ContainerConfig, DNSConfig, LinuxContainerResources, Mount, PodSandboxConfig, PortMapping } from './runtime/runtime.js';
import { runtimeSecurityContext } from './security-context.js';
import { qosClassOf } from './simulated/pod-status.js';

export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';
export const RESTART_COUNT_ANNOTATION = 'io.kubernetes.container.restartCount';
export const TERMINATION_MESSAGE_PATH_ANNOTATION = 'io.kubernetes.container.terminationMessagePath';
export const GRACE_PERIOD_ANNOTATION = 'io.kubernetes.pod.terminationGracePeriod';

/** <logs root>/<namespace>_<name>_<uid>, as upstream's /var/log/pods. */
export function podLogDirectory(logsRoot: string, pod: Pod): string {
  const m = pod.metadata!;
  return join(logsRoot, `${m.namespace}_${m.name}_${m.uid}`);
}

export function sandboxConfig(pod: Pod, attempt: number, logsRoot: string, dnsConfig?: DNSConfig, clusterDomain = 'cluster.local'): PodSandboxConfig {
  const m = pod.metadata!;
  const spec = pod.spec ?? { containers: [] };
  // Every declared port, as upstream's generatePodSandboxConfig: CNI's portmap takes only those with a hostPort
  // (cni.ts filters, as containerd), and the process runtime refuses a pod whose ports another pod holds.
  const portMappings: PortMapping[] = [];
  for (const c of spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      portMappings.push({ protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'], containerPort: p.containerPort, ...(p.hostPort ? { hostPort: p.hostPort } : {}), ...(p.hostIP ? { hostIp: p.hostIP } : {}) });
    }
  }
  const qos = qosClassOf(pod).toLowerCase();
  return {
    metadata: { name: m.name!, namespace: m.namespace ?? 'default', uid: m.uid!, attempt },
    hostname: (spec.hostname || m.name || 'pod').slice(0, 63),
    ...(spec.subdomain ? { hostnameFQDN: `${(spec.hostname || m.name || 'pod').slice(0, 63)}.${spec.subdomain}.${m.namespace ?? 'default'}.svc.${clusterDomain}` } : {}),
    logDirectory: podLogDirectory(logsRoot, pod),
    ...(dnsConfig ? { dnsConfig } : {}),
    portMappings,
    labels: { ...(m.labels ?? {}), [POD_NAME_LABEL]: m.name!, [POD_NAMESPACE_LABEL]: m.namespace ?? 'default', [POD_UID_LABEL]: m.uid! },
    annotations: { ...(m.annotations ?? {}) },
    namespaceOptions: {
      network: spec.hostNetwork ? 'NODE' : 'POD',
      pid: spec.hostPID ? 'NODE' : spec.shareProcessNamespace ? 'POD' : 'CONTAINER',
      ipc: spec.hostIPC ? 'NODE' : 'POD',
    },
    cgroupParent: qos === 'guaranteed' ? `kubepods/pod${m.uid}` : `kubepods/${qos}/pod${m.uid}`,
  };
}

/** `pidTarget`: an ephemeral container's target (the running container whose PID namespace it joins). */
export function containerConfig(pod: Pod, c: Container, attempt: number, imageRef: string, resolved: ResolvedContainerConfig, mounts: Mount[], pidTarget?: string): ContainerConfig {
  const m = pod.metadata!;
  const resources = linuxResources(c);
  return {
    metadata: { name: c.name, attempt },
    image: { image: imageRef },
    command: resolved.command, args: resolved.args,
    ...(resolved.workingDir ? { workingDir: resolved.workingDir } : {}),
    envs: resolved.envs, mounts,
    logPath: `${c.name}/${attempt}.log`,
    stdin: !!c.stdin, stdinOnce: !!c.stdinOnce, tty: !!c.tty,
    labels: { [POD_NAME_LABEL]: m.name!, [POD_NAMESPACE_LABEL]: m.namespace ?? 'default', [POD_UID_LABEL]: m.uid!, [CONTAINER_NAME_LABEL]: c.name },
    annotations: {
      [RESTART_COUNT_ANNOTATION]: String(attempt),
      [TERMINATION_MESSAGE_PATH_ANNOTATION]: c.terminationMessagePath ?? '/dev/termination-log',
      [GRACE_PERIOD_ANNOTATION]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
    },
    linux: {
      resources,
      securityContext: runtimeSecurityContext(pod, c),
      ...(pidTarget ? { pidNamespaceTarget: pidTarget } : {}),
    },
  };
}

const CPU_PERIOD = 100_000;

/** Upstream's cgroup values: shares from the CPU request (min 2), quota from the CPU limit, memory from its limit. */
export function linuxResources(c: Container): LinuxContainerResources {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const cpuReq = req.cpu ?? lim.cpu;
  const r: LinuxContainerResources = { cpuShares: cpuReq === undefined ? 2 : Math.max(2, Math.floor((milliValue(cpuReq) * 1024) / 1000)) };
  if (lim.cpu !== undefined) { r.cpuPeriod = CPU_PERIOD; r.cpuQuota = Math.max(1000, Math.floor((milliValue(lim.cpu) * CPU_PERIOD) / 1000)); }
  if (lim.memory !== undefined) r.memoryLimitInBytes = value(lim.memory);
  return r;
}


