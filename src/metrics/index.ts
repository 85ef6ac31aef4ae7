// The metrics server component's public surface (metrics.k8s.io for `kubectl top` and the autoscaler).
export { startMetricsServer, type MetricsServerOptions, type RunningMetricsServer } from './metrics-server.js';
