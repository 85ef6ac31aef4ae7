// The nftables proxier: one table of our own (`ip nanokube-<6 hex>`, from NANOKUBE_HOME, so two clusters on one
// host never meet), programmed with atomic `nft -f` batches. The first sync deletes whatever a previous run left
// (after a kill -9) and writes the whole table; later syncs send only the difference from what was applied
// (per-port chains flushed and rewritten, map elements added and deleted one by one). A failed batch changes
// nothing in the kernel (a transaction), and the next sync rewrites the table from scratch.
import { readFileSync, writeFileSync } from 'node:fs';
import type { LogFn } from '../../client/log.js';
import type { Proxier, ServicePortState, SyncStats } from '../proxier.js';
import { nftApply, nftDeleteTable } from './nft.js';
import { baseRules, buildRuleset, diffRuleset, emptyRuleset, type Ruleset } from './ruleset.js';

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
  private applied: Ruleset | undefined;
  private readonly localnetWarned = new Set<string>();

  constructor(private readonly o: NftablesProxierOptions) {}

  async sync(ports: ServicePortState[]): Promise<SyncStats> {
    this.enableRouteLocalnet();
    const desired = buildRuleset(ports, { nodeName: this.o.nodeName, clusterCIDR: this.o.clusterCIDR });
    const full = !this.applied;
    const from = this.applied ?? emptyRuleset();
    const commands = diffRuleset(this.o.table, from, desired);
    if (!full && !commands.length) return { changes: 0, full };
    let batch = commands.join('\n') + '\n';
    if (full) batch = `add table ip ${this.o.table}\ndelete table ip ${this.o.table}\n` + baseRules(this.o.table) + batch;
    this.applied = undefined; // unknown until nft says it applied
    await nftApply(batch, this.o.nft);
    this.applied = desired;
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
