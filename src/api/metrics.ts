// The resource metrics API (metrics.k8s.io/v1beta1, upstream's metrics-server) as the apiserver serves it: the
// seam between the metrics server component (src/metrics), which scrapes every kubelet, and the apiserver, which
// answers `kubectl top` and the HorizontalPodAutoscaler from it. Objects are NodeMetrics and PodMetrics as
// metrics-server returns them: metadata (name, namespace, labels of the node or pod), timestamp, window, usage.
import type { KubeObject } from './object.js';

export interface MetricsSource {
  /** NodeMetrics of every node with a recent sample. */
  nodeMetrics(): KubeObject[];
  /** PodMetrics of every running pod with a recent sample, in one namespace or all. */
  podMetrics(namespace?: string): KubeObject[];
}

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
