// How a recommended replica count becomes the one applied (upstream's horizontal.go): stabilization over recent
// recommendations, then the scale-rate limits. Without spec.behavior: scale-down stabilization (5 minutes by
// default) and a scale-up limit of max(2 × current, 4). With spec.behavior: each direction's stabilization window
// and policies (Pods / Percent per period, selectPolicy Max, Min or Disabled), counted against the scale events
// this controller made. Each result carries the AbleToScale and ScalingLimited conditions' reason and message.

export interface ScalingPolicy { type: 'Pods' | 'Percent'; value: number; periodSeconds: number }
export interface ScalingRules { stabilizationWindowSeconds?: number; selectPolicy?: 'Max' | 'Min' | 'Disabled'; policies?: ScalingPolicy[] }
export interface Behavior { scaleUp?: ScalingRules; scaleDown?: ScalingRules }

interface Timestamped { atMs: number; value: number }

export interface Normalized {
  replicas: number;
  stabilized: { reason: string; message: string };
  limited: { limited: boolean; reason: string; message: string };
}

const READY = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const WITHIN = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };

/** The per-autoscaler memory: recent recommendations and scale events (in memory, as upstream's controller). */
export class ScalingHistory {
  private readonly recommendations = new Map<string, Timestamped[]>();
  private readonly scaleUps = new Map<string, Timestamped[]>();
  private readonly scaleDowns = new Map<string, Timestamped[]>();
  /** Entries older than this are dropped (the longest window or period allowed is 3600 s). */
  private readonly keepMs = 3_600_000;

  forget(key: string): void { this.recommendations.delete(key); this.scaleUps.delete(key); this.scaleDowns.delete(key); }

  private push(map: Map<string, Timestamped[]>, key: string, e: Timestamped): void {
    const list = (map.get(key) ?? []).filter((x) => x.atMs > e.atMs - this.keepMs);
    list.push(e);
    map.set(key, list);
  }

  /** Records a rescale (only counted when the autoscaler has a behavior, as upstream). */
  scaled(key: string, from: number, to: number, nowMs: number): void {
    if (to > from) this.push(this.scaleUps, key, { atMs: nowMs, value: to - from });
    else if (to < from) this.push(this.scaleDowns, key, { atMs: nowMs, value: from - to });
  }

  /** No behavior: the highest recommendation within the scale-down window, then max(2 × current, 4) and min/max. */
  normalize(key: string, nowMs: number, current: number, desired: number, min: number, max: number, downscaleWindowMs: number): Normalized {
    let stabilizedTo = desired;
    for (const r of this.recommendations.get(key) ?? []) if (r.atMs > nowMs - downscaleWindowMs && r.value > stabilizedTo) stabilizedTo = r.value;
    this.push(this.recommendations, key, { atMs: nowMs, value: desired });
    const stabilized = stabilizedTo !== desired
      ? { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' }
      : READY;
    const scaleUpLimit = Math.max(2 * current, 4);
    let maxAllowed: number, limit: { reason: string; message: string };
    if (max > scaleUpLimit) { maxAllowed = scaleUpLimit; limit = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' }; }
    else { maxAllowed = max; limit = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' }; }
    if (stabilizedTo < min) return { replicas: min, stabilized, limited: { limited: true, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' } };
    if (stabilizedTo > maxAllowed) return { replicas: maxAllowed, stabilized, limited: { limited: true, ...limit } };
    return { replicas: stabilizedTo, stabilized, limited: { limited: false, ...WITHIN } };
  }

  /** With a behavior (defaults filled in by the API): both windows, then the policies' rate limits. */
  normalizeWithBehavior(key: string, nowMs: number, current: number, desired: number, min: number, max: number, behavior: Required<Behavior>): Normalized {
    const up = behavior.scaleUp, down = behavior.scaleDown;
    const upCutoff = nowMs - (up.stabilizationWindowSeconds ?? 0) * 1000;
    const downCutoff = nowMs - (down.stabilizationWindowSeconds ?? 300) * 1000;
    let upRec = desired, downRec = desired;
    for (const r of this.recommendations.get(key) ?? []) {
      if (r.atMs > upCutoff) upRec = Math.min(r.value, upRec);
      if (r.atMs > downCutoff) downRec = Math.max(r.value, downRec);
    }
    let rec = current;
    if (rec < upRec) rec = upRec;
    if (rec > downRec) rec = downRec;
    this.push(this.recommendations, key, { atMs: nowMs, value: desired });
    const stabilized = rec === desired ? READY : desired >= current
      ? { reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' }
      : { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };

    const changed = (list: Timestamped[] | undefined, periodSeconds: number) =>
      (list ?? []).filter((e) => e.atMs > nowMs - periodSeconds * 1000).reduce((a, e) => a + e.value, 0);
    const ups = this.scaleUps.get(key), downs = this.scaleDowns.get(key);
    if (rec > current) {
      let limit: number;
      if (up.selectPolicy === 'Disabled') limit = current;
      else {
        const pick = up.selectPolicy === 'Min' ? Math.min : Math.max;
        limit = up.selectPolicy === 'Min' ? Infinity : -Infinity;
        for (const p of up.policies ?? []) {
          const start = current - changed(ups, p.periodSeconds) + changed(downs, p.periodSeconds);
          limit = pick(limit, p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100)));
        }
      }
      if (limit < current) limit = current;
      const [maxAllowed, why] = max > limit
        ? [limit, { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' }]
        : [max, { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' }];
      if (rec > maxAllowed) return { replicas: maxAllowed, stabilized, limited: { limited: true, ...why } };
    } else if (rec < current) {
      let limit: number;
      if (down.selectPolicy === 'Disabled') limit = current;
      else {
        // Inverted on the way down: Max picks the policy allowing the biggest change, i.e. the lowest count.
        const pick = down.selectPolicy === 'Min' ? Math.max : Math.min;
        limit = down.selectPolicy === 'Min' ? -Infinity : Infinity;
        for (const p of down.policies ?? []) {
          const start = current - changed(ups, p.periodSeconds) + changed(downs, p.periodSeconds);
          limit = pick(limit, p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100)));
        }
      }
      if (limit > current) limit = current;
      const [minAllowed, why] = min < limit
        ? [limit, { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' }]
        : [min, { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' }];
      if (rec < minAllowed) return { replicas: minAllowed, stabilized, limited: { limited: true, ...why } };
    }
    return { replicas: rec, stabilized, limited: { limited: false, ...WITHIN } };
  }
}
