// Pod volumes for the kubelet: `new VolumeManager({...})`, setUpPod(pod) before creating containers,
// containerMounts(container, volumes, envs) for each container's CRI mounts, tearDownPod(uid) once the pod's
// containers are gone, cleanupOrphanedPods(activeUids) at start, shutdown() at stop.
export {
  VolumeManager, VolumeSetupError, isVolumeSetupError, PLUGIN_DIRS,
  type VolumeManagerOptions, type VolumeFailure, type VolumeEvent,
} from './volume-manager.js';
export { containerMounts, expandSubPathExpr, type MountedVolume, type PodVolumes } from './mounts.js';
export { writeAtomically, validatePayloadPath, type Payload, type FileProjection } from './atomic-writer.js';
export { checkHostPath } from './host-path.js';
export { apiTokenSource } from './token-source.js';
export type { ServiceAccountTokenSource, ServiceAccountToken, TokenRequestInput } from './payloads.js';
export { volumeHooks, type ManagedVolumeHooks } from './hooks.js';
