// Pod IPs for one simulated node, taken from its spec.podCIDR as a host-local IPAM plugin would: the network and
// broadcast addresses and the first host (the bridge gateway, ".1") are never handed out, so a /24 gives 253 pods.
// An IP stays with its pod (by uid) until release(); claim() re-registers IPs already written to pods so that a
// restarted simulated kubelet never hands the same address to a second pod.

export class PodIPAllocator {
  private readonly base: number;
  private readonly size: number;
  private readonly byUid = new Map<string, number>();
  private readonly used = new Set<number>();
  private next = 2;

  constructor(readonly cidr: string) {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!m) throw new Error(`podCIDR ${JSON.stringify(cidr)} is not an IPv4 CIDR`);
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix < 8 || prefix > 30) throw new Error(`podCIDR ${cidr} is not a usable IPv4 CIDR (prefix /8../30)`);
    this.size = 2 ** (32 - prefix);
    this.base = (ipToInt(octets) & ~(this.size - 1)) >>> 0;
  }

  /** The pod's IP: the one it already has, else the lowest free one; undefined when the range is exhausted. */
  allocate(uid: string): string | undefined {
    const have = this.byUid.get(uid);
    if (have !== undefined) return intToIp(this.base + have);
    const hosts = this.size - 2;
    for (let tried = 0; tried < hosts; tried++) {
      const off = this.next;
      this.next = this.next + 1 > this.size - 2 ? 2 : this.next + 1;
      if (!this.used.has(off)) {
        this.used.add(off);
        this.byUid.set(uid, off);
        return intToIp(this.base + off);
      }
    }
    return undefined;
  }

  /** Records that the pod already holds ip (from its status); ignored when ip is outside the range or taken. */
  claim(uid: string, ip: string): boolean {
    const off = this.offsetOf(ip);
    if (off === undefined) return false;
    const holder = this.byUid.get(uid);
    if (holder === off) return true;
    if (this.used.has(off)) return false;
    if (holder !== undefined) this.used.delete(holder);
    this.used.add(off);
    this.byUid.set(uid, off);
    return true;
  }

  release(uid: string): void {
    const off = this.byUid.get(uid);
    if (off === undefined) return;
    this.byUid.delete(uid);
    this.used.delete(off);
  }

  contains(ip: string): boolean { return this.offsetOf(ip) !== undefined; }
  get allocated(): number { return this.used.size; }

  private offsetOf(ip: string): number | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
    if (!m) return undefined;
    const off = ipToInt(m.slice(1, 5).map(Number)) - this.base;
    return off >= 2 && off <= this.size - 2 ? off : undefined;
  }
}

export function ipToInt(o: number[]): number {
  return ((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3];
}
export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
