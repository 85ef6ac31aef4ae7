// resourceFieldRef values (upstream pkg/api/v1/resource ExtractContainerResourceValue): the container's limit or
// request divided by the divisor (default 1), rounded up. A container without a cpu/memory/ephemeral-storage
// limit reads the node's allocatable instead, as upstream's kubelet defaults limits for the Downward API.
import type { Container, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { milliValue, value } from '../../api/quantity.js';

/** node.status.allocatable (quantities as the API gives them). */
export type NodeAllocatable = Readonly<Record<string, string>>;

const DEFAULTED_LIMITS = ['cpu', 'memory', 'ephemeral-storage'];

export function containerResourceValue(ref: ResourceFieldSelector, container: Container, allocatable: NodeAllocatable = {}): string {
  const limits: Record<string, unknown> = { ...(container.resources?.limits ?? {}) };
  for (const r of DEFAULTED_LIMITS) if (limits[r] === undefined && allocatable[r] !== undefined) limits[r] = allocatable[r];
  const requests: Record<string, unknown> = container.resources?.requests ?? {};
  const dot = ref.resource.indexOf('.');
  const kind = ref.resource.slice(0, dot);
  const name = ref.resource.slice(dot + 1);
  const source = kind === 'limits' ? limits : kind === 'requests' ? requests : undefined;
  const supported = name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-');
  if (!source || !supported) {
    throw new Error(`unsupported container resource : ${ref.resource}`);
  }
  if (name === 'cpu') {
    const divisor = milliValue(ref.divisor) || 1000;
    return String(Math.ceil(milliValue(source.cpu) / divisor));
  }
  const divisor = value(ref.divisor) || 1;
  return String(Math.ceil(value(source[name]) / divisor));
}
