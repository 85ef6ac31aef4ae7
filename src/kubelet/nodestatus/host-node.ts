// What the real kubelet reports about its host (upstream's nodestatus setters NodeAddress, MachineInfo,
// VersionInfo, DaemonEndpoints): capacity (cpu cores, memory, pods 110, ephemeral-storage of the filesystem holding
// NANOKUBE_HOME), allocatable (= capacity: nanokube reserves nothing), addresses (InternalIP: the primary
// non-loopback IPv4, else 127.0.0.1; Hostname), nodeInfo, and the kubelet's server port.
import { readFileSync, statfsSync } from 'node:fs';
import { arch, cpus, networkInterfaces, release, totalmem } from 'node:os';
import type { Node, NodeAddress } from 'kubernetes-types/core/v1.js';
import { kubeletConditions, withForeignConditions, type NodeHealth } from './conditions.js';

export const KUBELET_VERSION = 'v1.32.2';
export const MAX_PODS = 110;

export interface HostFacts {
  capacity: Record<string, string>;
  addresses: NodeAddress[];
  nodeInfo: NonNullable<NonNullable<Node['status']>['nodeInfo']>;
}

const read = (path: string) => { try { return readFileSync(path, 'utf8').trim(); } catch { return ''; } };

/** The host's primary non-loopback IPv4 (the first one of the first interface that has one), else 127.0.0.1. */
export function primaryIPv4(): string {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (name === 'lo' || /^(nk|cni|veth|docker|br-)/.test(name)) continue;
    const a = (addrs ?? []).find((x) => x.family === 'IPv4' && !x.internal);
    if (a) return a.address;
  }
  return '127.0.0.1';
}

function osImage(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(read('/etc/os-release'));
  return m?.[1] ?? `${process.platform}`;
}

export function hostFacts(opts: { home: string; runtimeVersion: string; nodeName: string }): HostFacts {
  let storage = '0';
  try {
    const s = statfsSync(opts.home);
    storage = `${Math.floor((s.blocks * s.bsize) / 1024)}Ki`;
  } catch { /* unknown */ }
  const machineID = read('/etc/machine-id') || read('/var/lib/dbus/machine-id');
  const capacity: Record<string, string> = {
    cpu: String(cpus().length || 1),
    'ephemeral-storage': storage,
    'hugepages-1Gi': '0', 'hugepages-2Mi': '0',
    memory: `${Math.floor(totalmem() / 1024)}Ki`,
    pods: String(MAX_PODS),
  };
  return {
    capacity,
    addresses: [{ type: 'InternalIP', address: primaryIPv4() }, { type: 'Hostname', address: opts.nodeName }],
    nodeInfo: {
      machineID, systemUUID: read('/sys/class/dmi/id/product_uuid') || machineID, bootID: read('/proc/sys/kernel/random/boot_id'),
      kernelVersion: release(), osImage: osImage(), containerRuntimeVersion: opts.runtimeVersion, kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '', operatingSystem: process.platform === 'win32' ? 'windows' : process.platform,
      architecture: arch() === 'x64' ? 'amd64' : arch() === 'ia32' ? '386' : arch(),
    },
  };
}

export function hostNodeStatus(facts: HostFacts, nowMs: number, kubeletPort: number, current: Node | undefined, health: NodeHealth): NonNullable<Node['status']> {
  const previous = current?.status?.conditions ?? [];
  return {
    capacity: { ...facts.capacity }, allocatable: { ...facts.capacity },
    conditions: withForeignConditions(kubeletConditions(nowMs, previous, health), previous),
    addresses: facts.addresses,
    daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
    nodeInfo: facts.nodeInfo,
    ...(current?.status?.images ? { images: current.status.images } : {}),
  };
}

/** The Node the kubelet registers (POST /api/v1/nodes), with upstream's well-known labels. */
export function hostNodeObject(name: string, facts: HostFacts, status: NonNullable<Node['status']>): Node {
  const a = facts.nodeInfo.architecture;
  const os = facts.nodeInfo.operatingSystem;
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name,
      labels: { 'beta.kubernetes.io/arch': a, 'beta.kubernetes.io/os': os, 'kubernetes.io/arch': a, 'kubernetes.io/hostname': name, 'kubernetes.io/os': os },
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {},
    status,
  };
}
