// A set of equal-sized subnets carved out of the cluster CIDR, as upstream's pkg/controller/nodeipam/ipam/cidrset:
// allocateNext() hands out the lowest free /N after the last one handed out (wrapping around), occupy() marks a
// subnet a Node already holds (on restart, or set by someone else), release() frees it. IPv4 only.

export class CIDRSet {
  readonly clusterCIDR: string;
  private readonly base: number;
  private readonly subnetSize: number;
  private readonly maxCIDRs: number;
  private readonly used = new Set<number>();
  private next = 0;

  constructor(clusterCIDR: string, readonly subnetMaskSize: number) {
    const { base, prefix } = parseCIDR(clusterCIDR);
    if (subnetMaskSize < prefix || subnetMaskSize > 30) {
      throw new Error(`node CIDR mask size /${subnetMaskSize} must be between the cluster CIDR's /${prefix} and /30`);
    }
    if (subnetMaskSize - prefix > 16) throw new Error(`cluster CIDR ${clusterCIDR} split into /${subnetMaskSize} gives more than 65536 subnets`);
    this.clusterCIDR = `${intToIp(base)}/${prefix}`;
    this.base = base;
    this.subnetSize = 2 ** (32 - subnetMaskSize);
    this.maxCIDRs = 2 ** (subnetMaskSize - prefix);
  }

  get size(): number { return this.maxCIDRs; }
  get allocated(): number { return this.used.size; }

  /** The next free subnet, or undefined when every one is taken (upstream's ErrCIDRRangeNoCIDRsRemaining). */
  allocateNext(): string | undefined {
    for (let tried = 0; tried < this.maxCIDRs; tried++) {
      const i = (this.next + tried) % this.maxCIDRs;
      if (!this.used.has(i)) {
        this.used.add(i);
        this.next = (i + 1) % this.maxCIDRs;
        return this.cidrAt(i);
      }
    }
    return undefined;
  }

  /** Marks cidr as taken; false when it is not one of this set's subnets (another range, another size). */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined) return false;
    this.used.add(i);
    return true;
  }

  release(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i !== undefined) this.used.delete(i);
  }

  /** Whether cidr lies inside the cluster CIDR (whatever its size). */
  contains(cidr: string): boolean {
    try {
      const { base } = parseCIDR(cidr);
      return base >= this.base && base < this.base + this.maxCIDRs * this.subnetSize;
    } catch { return false; }
  }

  private cidrAt(i: number): string { return `${intToIp(this.base + i * this.subnetSize)}/${this.subnetMaskSize}`; }

  private indexOf(cidr: string): number | undefined {
    let parsed;
    try { parsed = parseCIDR(cidr); } catch { return undefined; }
    if (parsed.prefix !== this.subnetMaskSize) return undefined;
    const off = parsed.base - this.base;
    if (off < 0 || off % this.subnetSize !== 0) return undefined;
    const i = off / this.subnetSize;
    return i < this.maxCIDRs ? i : undefined;
  }
}

export function parseCIDR(cidr: string): { base: number; prefix: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) throw new Error(`${JSON.stringify(cidr)} is not an IPv4 CIDR (a.b.c.d/n)`);
  const o = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (o.some((x) => x > 255) || prefix > 32) throw new Error(`${JSON.stringify(cidr)} is not an IPv4 CIDR (a.b.c.d/n)`);
  const ip = ((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3];
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return { base: (ip & mask) >>> 0, prefix };
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
