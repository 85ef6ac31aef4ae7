// The pod network through the standard CNI plugins and the CNI exec protocol (containernetworking/cni SPEC.md,
// version 1.0.0), as libcni drives them: each plugin of the conflist is executed in turn with CNI_COMMAND,
// CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_PATH in its environment and its configuration on stdin (the
// network's name and cniVersion, "runtimeConfig" for the capabilities it declares, and the previous plugin's
// result as "prevResult"); ADD runs the chain in order, DEL in reverse with the cached ADD result.
//
// nanokube's network, one per cluster (so two clusters on one host never collide):
//   bridge "nk<6 hex of a hash of NANOKUBE_HOME>" (gateway, hairpin; outbound NAT by one rule, masquerade.ts) + host-local IPAM over the
//   node's podCIDR with its state under NANOKUBE_HOME/cni/state, then portmap for hostPorts; the conflist is
//   written to NANOKUBE_HOME/cni/net.d. Loopback is brought up by the loopback plugin, as the kubelet/containerd do.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PortMapping } from '../runtime.js';
import { spawner } from './spawner.js';

export const CNI_VERSION = '1.0.0';
export const DEFAULT_CNI_BIN_DIRS = ['/usr/lib/cni', '/opt/cni/bin', '/usr/libexec/cni'];

export interface CniResult {
  cniVersion?: string;
  interfaces?: Array<{ name: string; mac?: string; sandbox?: string }>;
  ips?: Array<{ address: string; gateway?: string; interface?: number }>;
  routes?: unknown[];
  dns?: unknown;
}

export interface NetworkConfigList { cniVersion: string; name: string; plugins: Array<Record<string, unknown>> }

/** Per-cluster names: the same home always gives the same bridge and network name. */
export function clusterNetworkNames(home: string): { bridge: string; network: string; hash: string } {
  const hash = crypto.createHash('sha256').update(path.resolve(home)).digest('hex').slice(0, 6);
  return { bridge: `nk${hash}`, network: `nanokube-${hash}`, hash };
}

export function findCniBinDir(dirs = DEFAULT_CNI_BIN_DIRS): string | null {
  for (const d of dirs) {
    if (['bridge', 'host-local', 'loopback', 'portmap'].every((p) => fs.existsSync(path.join(d, p)))) return d;
  }
  return null;
}

export function podNetworkConflist(opts: { home: string; podCIDR: string }): NetworkConfigList {
  const names = clusterNetworkNames(opts.home);
  return {
    cniVersion: CNI_VERSION,
    name: names.network,
    plugins: [
      {
        // Masquerading is one rule per cluster (masquerade.ts), not the plugin's per-pod chains.
        type: 'bridge', bridge: names.bridge, isGateway: true, ipMasq: false, hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: opts.podCIDR }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: path.join(opts.home, 'cni', 'state'),
        },
      },
      { type: 'portmap', capabilities: { portMappings: true }, snat: true },
    ],
  };
}

const LOOPBACK: NetworkConfigList = { cniVersion: CNI_VERSION, name: 'cni-loopback', plugins: [{ type: 'loopback' }] };

export class CniError extends Error {
  constructor(message: string, readonly code?: number) { super(message); }
}

export interface CniAttachment { containerId: string; netns: string; ifName: string }

export class CniNetwork {
  constructor(private readonly binDir: string, private readonly confDir: string) {}

  /** Writes the conflist where `nanokube` keeps it (for reading; the runtime passes the same object to plugins). */
  writeConflist(list: NetworkConfigList): void {
    fs.mkdirSync(this.confDir, { recursive: true });
    const file = path.join(this.confDir, `10-${list.name}.conflist`);
    fs.writeFileSync(file + '.tmp', JSON.stringify(list, null, 2));
    fs.renameSync(file + '.tmp', file);
  }

  /**
   * The conflist a sandbox is attached with: without hostPorts, portmap has nothing to do and is left out (one
   * plugin run less per pod start); the same list must be used for its DEL, so callers keep what this returns.
   */
  effectiveList(list: NetworkConfigList, portMappings: PortMapping[]): NetworkConfigList {
    if (portMappings.some((p) => p.hostPort && p.hostPort > 0)) return list;
    return { ...list, plugins: list.plugins.filter((p) => p.type !== 'portmap') };
  }

  /** ADD: the pod's eth0 on the cluster bridge, and lo up (at the same time: they are independent). */
  async setUp(list: NetworkConfigList, att: { containerId: string; netns: string; portMappings: PortMapping[] }): Promise<CniResult> {
    const portMappings = att.portMappings.filter((p) => p.hostPort && p.hostPort > 0).map((p) => ({
      hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol.toLowerCase(), ...(p.hostIp ? { hostIP: p.hostIp } : {}),
    }));
    const [, result] = await Promise.all([
      this.addList(LOOPBACK, { ...att, ifName: 'lo' }, {}),
      this.addList(list, { ...att, ifName: 'eth0' }, { portMappings }),
    ]);
    return result;
  }

  /** DEL, tolerant of a netns that is already gone (the plugins release IPs and rules then too). */
  async tearDown(list: NetworkConfigList, att: { containerId: string; netns: string; portMappings: PortMapping[] }, prevResult?: CniResult): Promise<void> {
    const portMappings = att.portMappings.filter((p) => p.hostPort && p.hostPort > 0).map((p) => ({
      hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol.toLowerCase(), ...(p.hostIp ? { hostIP: p.hostIp } : {}),
    }));
    await this.delList(list, { ...att, ifName: 'eth0' }, { portMappings }, prevResult);
  }

  async addList(list: NetworkConfigList, att: CniAttachment, runtimeConfig: Record<string, unknown>): Promise<CniResult> {
    let prev: CniResult | undefined;
    for (const plugin of list.plugins) {
      prev = await this.exec('ADD', pluginConfig(list, plugin, runtimeConfig, prev), att) as CniResult;
    }
    return prev ?? {};
  }

  async delList(list: NetworkConfigList, att: CniAttachment, runtimeConfig: Record<string, unknown>, prevResult?: CniResult): Promise<void> {
    const errors: string[] = [];
    for (const plugin of [...list.plugins].reverse()) {
      try {
        await this.exec('DEL', pluginConfig(list, plugin, runtimeConfig, prevResult), att);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    if (errors.length) throw new CniError(errors.join('; '));
  }

  async check(list: NetworkConfigList, att: CniAttachment, prevResult: CniResult): Promise<void> {
    for (const plugin of list.plugins) await this.exec('CHECK', pluginConfig(list, plugin, {}, prevResult), att);
  }

  private async exec(command: 'ADD' | 'DEL' | 'CHECK', conf: Record<string, unknown>, att: CniAttachment): Promise<unknown> {
    const type = String(conf.type);
    const bin = path.join(this.binDir, path.basename(type));
    const r = await spawner.run(bin, [], {
      input: JSON.stringify(conf),
      env: {
        PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        CNI_COMMAND: command, CNI_CONTAINERID: att.containerId, CNI_NETNS: att.netns, CNI_IFNAME: att.ifName,
        CNI_PATH: this.binDir,
      },
    });
    const text = r.stdout;
    if (r.code === 0) {
      try { return text.trim() ? JSON.parse(text) : {}; } catch { throw new CniError(`CNI plugin ${type} ${command}: unreadable result`); }
    }
    if (r.code === 127 && !text) throw new CniError(`CNI plugin ${type}: ${r.stderr.trim()}`);
    let msg = r.stderr.trim() || text.trim();
    let errCode: number | undefined;
    try {
      const j = JSON.parse(text) as { code?: number; msg?: string; details?: string };
      errCode = j.code;
      msg = [j.msg, j.details].filter(Boolean).join(': ') || msg;
    } catch { /* not JSON */ }
    throw new CniError(`CNI plugin ${type} ${command} failed: ${msg}`, errCode);
  }
}

function pluginConfig(list: NetworkConfigList, plugin: Record<string, unknown>, runtimeConfig: Record<string, unknown>, prev?: CniResult): Record<string, unknown> {
  const conf: Record<string, unknown> = { ...plugin, name: list.name, cniVersion: list.cniVersion };
  const caps = (plugin.capabilities ?? {}) as Record<string, boolean>;
  const rc: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(runtimeConfig)) if (caps[k]) rc[k] = v;
  if (Object.keys(rc).length) conf.runtimeConfig = rc;
  delete conf.capabilities;
  if (prev) conf.prevResult = prev;
  return conf;
}

/** The bridge's (gateway's) address: the first IP of the podCIDR, as host-local gives the bridge plugin by default. */
export function podNetworkGateway(podCIDR: string): { ip: string; prefix: number } {
  const [addr, bits] = podCIDR.split('/');
  const n = addr!.split('.').reduce((a, p) => a * 256 + Number(p), 0);
  const size = 2 ** (32 - Number(bits));
  const first = Math.floor(n / size) * size + 1;
  return { ip: [24, 16, 8, 0].map((s) => Math.floor(first / 2 ** s) % 256).join('.'), prefix: Number(bits) };
}

/**
 * Creates the cluster's bridge with its gateway address and brings it up, before any pod: node-local services
 * (the cluster DNS server) listen on that address from the start. The bridge plugin adopts a bridge that exists
 * and already holds the gateway address. Idempotent.
 */
export async function ensureBridge(bridge: string, podCIDR: string): Promise<void> {
  const { ip, prefix } = podNetworkGateway(podCIDR);
  const run = (args: string[]) => spawner.run('ip', args);
  if (!fs.existsSync(`/sys/class/net/${bridge}`)) {
    const r = await run(['link', 'add', 'name', bridge, 'type', 'bridge']);
    if (r.code !== 0 && !fs.existsSync(`/sys/class/net/${bridge}`)) throw new CniError(`creating bridge ${bridge} failed: ${r.stderr}`);
  }
  const a = await run(['addr', 'replace', `${ip}/${prefix}`, 'dev', bridge]);
  if (a.code !== 0) throw new CniError(`adding ${ip}/${prefix} to bridge ${bridge} failed: ${a.stderr}`);
  const u = await run(['link', 'set', bridge, 'up']);
  if (u.code !== 0) throw new CniError(`bringing bridge ${bridge} up failed: ${u.stderr}`);
}

/** The pod IP (without prefix length) from an ADD result. */
export function podIPFromResult(r: CniResult): string {
  const ip = r.ips?.find((i) => !i.address.includes(':')) ?? r.ips?.[0];
  return ip ? ip.address.split('/')[0]! : '';
}
