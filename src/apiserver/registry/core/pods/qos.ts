// Pod QoS class (upstream pkg/apis/core/helper/qos.ComputePodQOS), set in status.qosClass at creation.

import { quantityNumber } from '../../../../api/quantity.js';

const QOS_RESOURCES = new Set(['cpu', 'memory']);
const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(Math.abs(a), Math.abs(b)) * 1e-12;

export function computePodQOS(spec: any): 'BestEffort' | 'Burstable' | 'Guaranteed' {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    for (const [name, q] of Object.entries(c?.resources?.requests ?? {})) {
      const v = quantityNumber(q);
      if (QOS_RESOURCES.has(name) && v > 0) requests.set(name, (requests.get(name) ?? 0) + v);
    }
    const found = new Set<string>();
    for (const [name, q] of Object.entries(c?.resources?.limits ?? {})) {
      const v = quantityNumber(q);
      if (QOS_RESOURCES.has(name) && v > 0) { found.add(name); limits.set(name, (limits.get(name) ?? 0) + v); }
    }
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (lim === undefined || !close(lim, req)) { guaranteed = false; break; }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
