// A small seeded PRNG (mulberry32) so a fuzz run is reproducible from its printed seed.

export class Prng {
  private s: number;
  constructor(readonly seed: number) { this.s = seed >>> 0; }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number { return Math.floor(this.next() * n); }
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number { return lo + this.int(hi - lo + 1); }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
  chance(p: number): boolean { return this.next() < p; }
  bytes(n: number): Buffer { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = this.int(256); return b; }
  /** A short string of printable ASCII and a few troublemakers. */
  junk(max = 12): string {
    const alphabet = 'abcXYZ019-_.:/\\%{}[]"\' =,!()<>|&*?#@$^~`\t';
    let s = '';
    for (let i = this.int(max + 1); i > 0; i--) s += alphabet[this.int(alphabet.length)];
    return s;
  }
}

/** The seed of this run: NANOKUBE_FUZZ_SEED when set, else a fresh one (printed so a failure can be replayed). */
export function fuzzSeed(): number {
  const env = process.env.NANOKUBE_FUZZ_SEED;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n)) throw new Error(`NANOKUBE_FUZZ_SEED must be an integer, got ${JSON.stringify(env)}`);
    return n >>> 0;
  }
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}
