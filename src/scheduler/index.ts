// The scheduler component's public surface (other components and src/cmd import only this file).
export { startScheduler, type SchedulerOptions, type SchedulerMetrics, type RunningScheduler } from './scheduler.js';
export { defaultProfile, inTreeRegistry, DEFAULT_SCHEDULER_NAME } from './plugins/registry.js';
export type { Profile, ProfilePlugin } from './framework/framework.js';
export type { PluginFactory, FrameworkHandle, AnyPlugin } from './framework/types.js';
export { SchedulerPrometheus } from './prometheus.js';
