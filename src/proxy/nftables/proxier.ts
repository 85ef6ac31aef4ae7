// The nftables proxier: one table of our own (`ip nanokube-<6 hex>`, from NANOKUBE_HOME, so two clusters on one
// host never meet), programmed with atomic `nft -f` batches. The first sync deletes whatever a previous run left
// (after a kill -9) and writes the whole table; later syncs send only the difference from what was applied
// (per-port chains flushed and rewritten, map elements added and deleted one by one). A failed batch changes
// nothing in the kernel (a transaction), and the next sync rewrites the table from scratch.
import { readFileSync, writeFileSync } from 'node:fs';
import type { LogFn } from '../../client/log.js';
import type { Proxier, ProxyUpdate, SyncStats } from '../proxier.js';
import { nftApply, nftDeleteTable } from './nft.js';
import { baseRules, buildRuleset, diffRuleset, emptyRuleset, mergeInto, type Ruleset } from './ruleset.js';

export interface NftablesProxierOptions {
  table: string;
  nodeName: string;
  clusterCIDR: string;
  /**
   * Interfaces pods are reached through (the CNI bridge): NodePorts on 127.0.0.1 are DNATed to pod IPs, and the
   * kernel routes a packet with a loopback source out of an interface only with route_localnet=1 on it (upstream's
   * iptables mode sets it for all interfaces; this keeps it to the bridge, which disappears with the cluster).
   */
  localnetInterfaces?: () => string[];
  log: LogFn;
  nft?: string;
}

export class NftablesProxier implements Proxier {
  readonly mode = 'nftables';
  /** What the kernel has, per Service (`namespace/name`); undefined until a full sync succeeded. */
  private applied: Map<string, Ruleset> | undefined;
  /** Endpoint IP → how many Services' fragments hold it (the hairpin set is shared by all). */
  private hairpinRefs = new Map<string, number>();
  private readonly localnetWarned = new Set<string>();

  constructor(private readonly o: NftablesProxierOptions) {}

  async sync(update: ProxyUpdate): Promise<SyncStats> {
    this.enableRouteLocalnet();
    const opts = { nodeName: this.o.nodeName, clusterCIDR: this.o.clusterCIDR };
    const full = update.full || !this.applied;
    if (full && !update.full) throw new Error('the nftables proxier needs a full update first');
    const before = full ? new Map<string, Ruleset>() : this.applied!;
    const after = new Map(before);
    const from = emptyRuleset(), to = emptyRuleset();
    const refs = full ? new Map<string, number>() : new Map(this.hairpinRefs);
    const hairpinDelta = new Map<string, number>();
    const count = (ip: string, d: number) => { refs.set(ip, (refs.get(ip) ?? 0) + d); hairpinDelta.set(ip, (hairpinDelta.get(ip) ?? 0) + d); };
    for (const [key, ports] of update.services) {
      const old = before.get(key);
      const frag = buildRuleset(ports, opts);
      if (old) { mergeInto(from, old); for (const ip of old.hairpin) count(ip, -1); }
      mergeInto(to, frag);
      for (const ip of frag.hairpin) count(ip, 1);
      if (ports.length) after.set(key, frag); else after.delete(key);
    }
    // The hairpin set is shared: an IP is added when its first Service appears and removed with its last.
    from.hairpin.clear(); to.hairpin.clear();
    for (const [ip, d] of hairpinDelta) {
      if (!d) continue;
      const now = refs.get(ip) ?? 0, was = now - d;
      if (was === 0 && now > 0) to.hairpin.add(ip);
      if (was > 0 && now === 0) from.hairpin.add(ip);
      if (now === 0) refs.delete(ip);
    }
    const commands = diffRuleset(this.o.table, from, to);
    if (!full && !commands.length) return { changes: 0, full };
    let batch = commands.join('\n') + '\n';
    if (full) batch = `add table ip ${this.o.table}\ndelete table ip ${this.o.table}\n` + baseRules(this.o.table, this.o.clusterCIDR) + batch;
    this.applied = undefined; // unknown until nft says it applied
    await nftApply(batch, this.o.nft);
    this.applied = after;
    this.hairpinRefs = refs;
    return { changes: commands.length, full };
  }

  async stop(): Promise<void> {
    this.applied = undefined;
    await nftDeleteTable('ip', this.o.table, this.o.nft);
  }

  private enableRouteLocalnet(): void {
    for (const dev of this.o.localnetInterfaces?.() ?? []) {
      const f = `/proc/sys/net/ipv4/conf/${dev}/route_localnet`;
      let value: string;
      try { value = readFileSync(f, 'utf8').trim(); } catch { continue; } // no such interface (yet)
      if (value === '1') continue;
      try {
        writeFileSync(f, '1');
      } catch (e) {
        if (!this.localnetWarned.has(dev)) this.o.log({ level: 'warn', msg: 'could not set route_localnet: NodePorts on 127.0.0.1 will not answer', interface: dev, error: (e as Error).message });
        this.localnetWarned.add(dev);
      }
    }
  }
}
