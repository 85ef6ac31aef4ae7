// A container's Linux capabilities as containerd's CRI plugin computes them: its default set for unprivileged
// containers; with capabilities.add/drop, ALL first (add ALL, then drop ALL) and then the named ones (so
// `drop: [ALL], add: [NET_BIND_SERVICE]` leaves exactly NET_BIND_SERVICE); privileged gets every capability this
// process holds (containerd's cap.Current()). Capabilities the runtime itself lacks (e.g. nanokube inside a
// container without CAP_SYS_RESOURCE) are left out: a process cannot grant what it does not have.
import fs from 'node:fs';
import type { ContainerConfig } from '../runtime.js';

/** Every capability by number (linux/capability.h), up to CAP_CHECKPOINT_RESTORE (40). */
export const CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** containerd's default capability set for unprivileged containers. */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

let current: string[] | undefined;
/** The capabilities in this process's bounding set (all known ones off Linux / when /proc cannot say). */
export function currentCapabilities(): string[] {
  if (current) return current;
  let mask: bigint | null = null;
  try {
    const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) mask = BigInt(`0x${m[1]}`);
  } catch { /* not Linux */ }
  current = mask === null ? [...CAPABILITIES] : capabilitiesOf(mask);
  return current;
}

/** The names of the capabilities in a mask as /proc/<pid>/status shows it (CapEff, CapBnd, ...). */
export function capabilitiesOf(mask: bigint): string[] {
  return CAPABILITIES.filter((_, i) => (mask >> BigInt(i)) & 1n);
}

function capName(c: string): string {
  const u = c.toUpperCase();
  return u.startsWith('CAP_') ? u : `CAP_${u}`;
}

type SecurityContext = NonNullable<NonNullable<ContainerConfig['linux']>['securityContext']>;

/** The container's capability set (bounding = permitted = effective), in CAPABILITIES order. */
export function containerCapabilities(sc: SecurityContext | undefined): string[] {
  const have = currentCapabilities();
  if (sc?.privileged) return [...have];
  const caps = new Set(DEFAULT_CAPABILITIES);
  const add = (sc?.capabilities?.addCapabilities ?? []).map(capName);
  const drop = (sc?.capabilities?.dropCapabilities ?? []).map(capName);
  if (add.includes('CAP_ALL')) for (const c of CAPABILITIES) caps.add(c);
  if (drop.includes('CAP_ALL')) caps.clear();
  for (const c of add) if (c !== 'CAP_ALL') caps.add(c);
  for (const c of drop) caps.delete(c);
  return CAPABILITIES.filter((c) => caps.has(c) && have.includes(c));
}
