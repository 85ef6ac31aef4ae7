// The workload resources beyond Deployments and ReplicaSets, in the order discovery lists them: ReplicationControllers
// and PodTemplates (core/v1, served beside the apps kinds they predate), ControllerRevisions, DaemonSets, StatefulSets.
export { replicationcontrollers } from '../core/replicationcontrollers/strategy.js';
export { podtemplates } from '../core/podtemplates/strategy.js';
export { controllerrevisions } from './controllerrevisions/strategy.js';
export { daemonsets } from './daemonsets/strategy.js';
export { statefulsets } from './statefulsets/strategy.js';
