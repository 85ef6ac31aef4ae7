// CPU use as a rate from cumulative CPU time, the way cAdvisor turns samples into usageNanoCores: the difference
// to the previous sample of the same series over the time between them. A series seen for the first time (or
// reset, e.g. a restarted container) has no rate yet. Samples closer than minIntervalMs keep the last rate, so two
// readers polling at once do not turn measurement noise into a figure.

interface Sample { timeNs: number; cpuNs: number; rate?: number }

export class CpuRates {
  private readonly samples = new Map<string, Sample>();
  constructor(private readonly minIntervalMs = 500) {}

  /** Records a sample of series `key` and returns its rate in nanocores, or undefined when there is none yet. */
  observe(key: string, timeNs: number, cpuNs: number): number | undefined {
    const prev = this.samples.get(key);
    if (prev && cpuNs >= prev.cpuNs && timeNs - prev.timeNs < this.minIntervalMs * 1e6) return prev.rate;
    let rate: number | undefined;
    if (prev && cpuNs >= prev.cpuNs && timeNs > prev.timeNs) rate = Math.round(((cpuNs - prev.cpuNs) / (timeNs - prev.timeNs)) * 1e9);
    this.samples.set(key, { timeNs, cpuNs, rate });
    return rate;
  }

  /** Forgets every series not in `live` (containers that are gone). */
  retain(live: Set<string>): void {
    for (const k of this.samples.keys()) if (!live.has(k)) this.samples.delete(k);
  }
}
