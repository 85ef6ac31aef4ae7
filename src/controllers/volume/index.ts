// The volume controllers: the PersistentVolume binder, the built-in local-path provisioner, and the pvc/pv
// protection controllers.
export { startPersistentVolumeBinderController, findMatchingVolume } from './binder.js';
export { startLocalPathProvisioner, provisionedVolume, type LocalPathProvisionerOptions } from './provisioner.js';
export { startStorageProtectionController, podClaimNames } from './protection.js';
export { localPathDirectories, type VolumeDirectories } from './local-path.js';
