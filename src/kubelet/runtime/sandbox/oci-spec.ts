// The OCI runtime spec (config.json) of a pod's container, as containerd's CRI plugin builds it for runc: the
// process (argv, env merged over the image's, cwd, user, capabilities), the overlay root, the standard mounts
// (/proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys, /sys/fs/cgroup), the sandbox's /etc/hosts, /etc/hostname and
// /etc/resolv.conf, the kubelet's mounts, the namespaces it joins (the sandbox holder's network, IPC, UTS and
// optionally PID) and its cgroup with CPU and memory resources.
import fs from 'node:fs';
import path from 'node:path';
import type { ImageRuntimeConfig } from '../../../images/index.js';
import type { ContainerConfig, PodSandboxConfig } from '../runtime.js';
import { containerCapabilities } from './capabilities.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const MASKED_PATHS = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface SandboxNamespaces {
  /** Network namespace file (bind mount) or null for the node's network. */
  netns: string | null;
  /** The holder's pid, whose IPC / UTS / PID namespaces the container joins as the pod asks. */
  holderPid: number;
  ownUts: boolean;
  ownIpc: boolean;
  sharedPid: boolean;
  hostPid: boolean;
  /** A running container's init pid whose PID namespace this container joins (CRI's TARGET), if any. */
  targetPid?: number;
}

export interface SpecInput {
  /**
   * Host folders hidden from the container (an empty read-only tmpfs over each): with the host's root filesystem
   * as an image layer, NANOKUBE_HOME (cluster CA key, tokens, every pod's Secret volumes) and kubeconfigs would
   * otherwise be readable by every pod.
   */
  hiddenPaths?: string[];
  config: ContainerConfig;
  sandbox: PodSandboxConfig;
  image: ImageRuntimeConfig;
  rootfs: string;
  /** /etc/hosts, /etc/hostname, /etc/resolv.conf of the sandbox. */
  etcFiles: { hosts: string; hostname: string; resolvConf: string };
  namespaces: SandboxNamespaces;
  cgroupsPath: string;
  /** cgroup v2: runc sets memory.max itself; v1: the limit is on nanokube's parent cgroup (cgroups.ts). */
  memoryLimitInRunc: boolean;
}

/** The container's argv: the kubelet's resolved command+args, or the image's ENTRYPOINT+CMD when both are empty. */
export function containerArgv(config: ContainerConfig, image: ImageRuntimeConfig): string[] {
  if (config.command.length) return [...config.command, ...config.args];
  if (config.args.length) return [...(image.entrypoint ?? []), ...config.args];
  return [...(image.entrypoint ?? []), ...(image.cmd ?? [])];
}

/** The image's ENV with the container's env over it, PATH defaulted and HOSTNAME set, as containerd does. */
export function containerEnv(config: ContainerConfig, image: ImageRuntimeConfig, hostname: string): string[] {
  const env = new Map<string, string>();
  env.set('PATH', DEFAULT_PATH);
  for (const kv of image.env ?? []) {
    const i = kv.indexOf('=');
    if (i > 0) env.set(kv.slice(0, i), kv.slice(i + 1));
  }
  env.set('HOSTNAME', hostname);
  for (const { key, value } of config.envs) env.set(key, value);
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/**
 * uid/gid from securityContext, else the image's USER ("uid", "uid:gid", "name", "name:group") against its files;
 * and the process's groups as containerd gives them: the primary group, the groups of the image's /etc/group that
 * list the user (unless a group was named), then the pod's supplemental groups.
 */
export function resolveUser(config: ContainerConfig, image: ImageRuntimeConfig, rootfs: string): { uid: number; gid: number; additionalGids: number[] } {
  const sc = config.linux?.securityContext;
  let uid = 0;
  let gid = 0;
  let groupNamed = false;
  const user = image.user?.trim();
  if (user) {
    const [u, g] = user.split(':') as [string, string | undefined];
    const passwd = readLines(path.join(rootfs, 'etc/passwd'));
    if (/^\d+$/.test(u)) {
      uid = Number(u);
      const entry = passwd.find((l) => l.split(':')[2] === u);
      if (entry) gid = Number(entry.split(':')[3]);
    } else {
      const entry = passwd.find((l) => l.split(':')[0] === u);
      if (!entry) throw new Error(`unable to find user ${u}: no matching entries in passwd file`);
      uid = Number(entry.split(':')[2]);
      gid = Number(entry.split(':')[3]);
    }
    if (g !== undefined && g !== '') {
      groupNamed = true;
      if (/^\d+$/.test(g)) gid = Number(g);
      else {
        const entry = readLines(path.join(rootfs, 'etc/group')).find((l) => l.split(':')[0] === g);
        if (!entry) throw new Error(`unable to find group ${g}: no matching entries in group file`);
        gid = Number(entry.split(':')[2]);
      }
    }
  }
  if (sc?.runAsUser !== undefined) {
    uid = sc.runAsUser;
    groupNamed = false;
    if (sc.runAsGroup === undefined) {
      const entry = readLines(path.join(rootfs, 'etc/passwd')).find((l) => l.split(':')[2] === String(uid));
      gid = entry ? Number(entry.split(':')[3]) : 0;
    }
  }
  if (sc?.runAsGroup !== undefined) { gid = sc.runAsGroup; groupNamed = true; }
  const gids = [gid];
  if (!groupNamed) {
    const name = readLines(path.join(rootfs, 'etc/passwd')).find((l) => l.split(':')[2] === String(uid))?.split(':')[0];
    if (name) {
      for (const l of readLines(path.join(rootfs, 'etc/group'))) {
        const f = l.split(':');
        if (f[0] !== name && (f[3] ?? '').split(',').includes(name)) gids.push(Number(f[2]));
      }
    }
  }
  for (const g of sc?.supplementalGroups ?? []) gids.push(g);
  return { uid, gid, additionalGids: [...new Set(gids)] };
}

function readLines(file: string): string[] {
  try { return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')); } catch { return []; }
}

export function buildOciSpec(input: SpecInput): Record<string, unknown> {
  const { config, sandbox, image, namespaces: ns } = input;
  const sc = config.linux?.securityContext;
  const privileged = !!sc?.privileged;
  const caps = containerCapabilities(sc);
  const user = resolveUser(config, image, input.rootfs);
  const capSet = caps;
  const sysRo = !privileged;
  const mounts: Array<Record<string, unknown>> = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    ns.netns !== null
      ? { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ...(sysRo ? ['ro'] : [])] }
      : { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', ...(sysRo ? ['ro'] : [])] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
  ];
  const kubeletTargets = new Set(config.mounts.map((m) => path.posix.normalize(m.containerPath)));
  const etc: Array<[string, string]> = [['/etc/hosts', input.etcFiles.hosts], ['/etc/hostname', input.etcFiles.hostname], ['/etc/resolv.conf', input.etcFiles.resolvConf]];
  for (const [dest, src] of etc) {
    if (!kubeletTargets.has(dest)) mounts.push({ destination: dest, type: 'bind', source: src, options: ['rbind', 'rprivate', ...(sc?.readonlyRootfs ? ['ro'] : [])] });
  }
  for (const m of config.mounts) {
    const propagation = m.propagation === 'rshared' ? 'rshared' : m.propagation === 'rslave' ? 'rslave' : 'rprivate';
    mounts.push({ destination: m.containerPath, type: 'bind', source: m.hostPath, options: ['rbind', propagation, ...(m.readonly ? ['ro'] : [])] });
  }

  const namespaces: Array<Record<string, string>> = [{ type: 'mount' }];
  if (ns.netns !== null) namespaces.push({ type: 'network', path: ns.netns });
  if (ns.ownUts) namespaces.push({ type: 'uts', path: `/proc/${ns.holderPid}/ns/uts` });
  if (ns.ownIpc) namespaces.push({ type: 'ipc', path: `/proc/${ns.holderPid}/ns/ipc` });
  if (ns.targetPid) namespaces.push({ type: 'pid', path: `/proc/${ns.targetPid}/ns/pid` });
  else if (ns.sharedPid) namespaces.push({ type: 'pid', path: `/proc/${ns.holderPid}/ns/pid` });
  else if (!ns.hostPid) namespaces.push({ type: 'pid' });

  const res = config.linux?.resources ?? {};
  const cpu: Record<string, number> = {};
  if (res.cpuShares) cpu.shares = res.cpuShares;
  if (res.cpuQuota && res.cpuQuota > 0) { cpu.quota = res.cpuQuota; cpu.period = res.cpuPeriod || 100000; }
  const resources: Record<string, unknown> = { devices: [{ allow: privileged, access: 'rwm' }] };
  if (Object.keys(cpu).length) resources.cpu = cpu;
  if (input.memoryLimitInRunc && res.memoryLimitInBytes && res.memoryLimitInBytes > 0) {
    resources.memory = { limit: res.memoryLimitInBytes, swap: res.memoryLimitInBytes };
  }

  const sysctl: Record<string, string> = {};
  for (const [k, v] of Object.entries(sandbox.linux?.sysctls ?? {})) {
    // Only namespaced sysctls of namespaces the container does not share with the node.
    if ((k.startsWith('net.') && ns.netns !== null) || ((k.startsWith('kernel.shm') || k.startsWith('kernel.msg') || k.startsWith('kernel.sem') || k.startsWith('fs.mqueue.')) && ns.ownIpc)) sysctl[k] = v;
  }

  const spec: Record<string, unknown> = {
    ociVersion: '1.0.2',
    process: {
      terminal: !!config.tty,
      user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
      args: containerArgv(config, image),
      env: containerEnv(config, image, sandbox.hostname),
      cwd: config.workingDir || image.workingDir || '/',
      capabilities: { bounding: capSet, effective: capSet, permitted: capSet, ...(user.uid === 0 ? {} : { ambient: [] }) },
      noNewPrivileges: !!sc?.noNewPrivs,
      ...(res.oomScoreAdj !== undefined ? { oomScoreAdj: res.oomScoreAdj } : {}),
    },
    root: { path: input.rootfs, readonly: !!sc?.readonlyRootfs },
    mounts,
    linux: {
      namespaces,
      cgroupsPath: input.cgroupsPath,
      resources,
      ...(Object.keys(sysctl).length ? { sysctl } : {}),
      maskedPaths: [...(privileged ? [] : MASKED_PATHS), ...(input.hiddenPaths ?? [])],
      ...(privileged ? {} : { readonlyPaths: READONLY_PATHS }),
    },
  };
  return spec;
}
