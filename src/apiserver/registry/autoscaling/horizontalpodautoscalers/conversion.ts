// autoscaling/v1 ⇄ autoscaling/v2 HorizontalPodAutoscaler, as upstream converts them (pkg/apis/autoscaling/v1
// conversion): objects are stored as v2. v1 has only a CPU utilization target; whatever else a v2 object holds
// (other metrics, their current values, conditions, behavior) rides along in v1 annotations under
// autoscaling.alpha.kubernetes.io/, so a v1 read-modify-write keeps it.
import type { KubeObject } from '../../../../api/object.js';

export const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
const OWN_ANNOTATIONS = [METRICS_ANNOTATION, CURRENT_METRICS_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION];

const isCpuUtilization = (m: any) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization';
const parse = (s: string | undefined) => { try { return s ? JSON.parse(s) : undefined; } catch { return undefined; } };

/** A v1 object (as a client sent it) → the stored v2 object. */
export function hpaV1ToV2(obj: KubeObject): KubeObject {
  const { targetCPUUtilizationPercentage, ...spec } = obj.spec ?? {};
  const annotations = { ...(obj.metadata?.annotations ?? {}) };
  const extraMetrics = parse(annotations[METRICS_ANNOTATION]) ?? [];
  const currentExtra = parse(annotations[CURRENT_METRICS_ANNOTATION]) ?? [];
  const conditions = parse(annotations[CONDITIONS_ANNOTATION]);
  const behavior = parse(annotations[BEHAVIOR_ANNOTATION]);
  for (const k of OWN_ANNOTATIONS) delete annotations[k];
  const metrics = [
    ...(targetCPUUtilizationPercentage != null ? [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: targetCPUUtilizationPercentage } } }] : []),
    ...(Array.isArray(extraMetrics) ? extraMetrics : []),
  ];
  const st = obj.status ?? {};
  const { currentCPUUtilizationPercentage, ...status } = st;
  const currentMetrics = [
    ...(currentCPUUtilizationPercentage != null ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: currentCPUUtilizationPercentage } } }] : []),
    ...(Array.isArray(currentExtra) ? currentExtra : []),
  ];
  const metadata = { ...obj.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations; else delete metadata.annotations;
  return {
    ...obj, apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata,
    spec: { ...spec, ...(metrics.length ? { metrics } : {}), ...(behavior ? { behavior } : {}) },
    ...(obj.status ? { status: { ...status, ...(currentMetrics.length ? { currentMetrics } : {}), ...(Array.isArray(conditions) ? { conditions } : {}) } } : {}),
  };
}

/** The stored v2 object → what a v1 client reads. */
export function hpaV2ToV1(obj: KubeObject): KubeObject {
  const { metrics, behavior, ...spec } = obj.spec ?? {};
  const cpu = (metrics ?? []).find(isCpuUtilization);
  const others = (metrics ?? []).filter((m: any) => m !== cpu);
  const { currentMetrics, conditions, ...status } = obj.status ?? {};
  const cpuNow = (currentMetrics ?? []).find((m: any) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.current?.averageUtilization != null);
  const otherNow = (currentMetrics ?? []).filter((m: any) => m !== cpuNow);
  const annotations: Record<string, string> = { ...(obj.metadata?.annotations ?? {}) };
  if (others.length) annotations[METRICS_ANNOTATION] = JSON.stringify(others);
  if (otherNow.length) annotations[CURRENT_METRICS_ANNOTATION] = JSON.stringify(otherNow);
  if (conditions?.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(conditions);
  if (behavior) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(behavior);
  const metadata = { ...obj.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  return {
    ...obj, apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata,
    spec: { ...spec, ...(cpu ? { targetCPUUtilizationPercentage: cpu.resource.target.averageUtilization } : {}) },
    ...(obj.status ? { status: { ...status, ...(cpuNow ? { currentCPUUtilizationPercentage: cpuNow.resource.current.averageUtilization } : {}) } } : {}),
  };
}
