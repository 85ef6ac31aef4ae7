// The kubelet's VolumeHooks (../hooks.ts) backed by a VolumeManager. setUp keeps the pod's set-up volumes so
// mounts() can answer synchronously; update(pod) passes a changed pod (labels/annotations) to downwardAPI files.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { ContainerConfigError } from '../envvars/errors.js';
import type { VolumeHooks } from '../hooks.js';
import type { KeyValue, Mount } from '../runtime/runtime.js';
import type { PodVolumes } from './mounts.js';
import type { VolumeManager } from './volume-manager.js';

export interface ManagedVolumeHooks extends VolumeHooks {
  /** mounts with the container's env, for subPathExpr (without it a subPathExpr fails as upstream's "missing value"). */
  mounts(pod: Pod, container: Container, envs?: readonly KeyValue[]): Mount[];
  /** A newer pod object: downwardAPI/projected files follow its labels and annotations. */
  update(pod: Pod): Promise<void>;
}

export function volumeHooks(vm: VolumeManager): ManagedVolumeHooks {
  const set = new Map<string, PodVolumes>();
  return {
    async setUp(pod) {
      set.set(pod.metadata!.uid!, await vm.setUpPod(pod));
    },
    mounts(pod, container, envs = []) {
      if (!container.volumeMounts?.length) return [];
      const vols = set.get(pod.metadata?.uid ?? '');
      if (!vols) throw new ContainerConfigError('CreateContainerConfigError', `volumes of pod ${pod.metadata?.namespace}/${pod.metadata?.name} are not set up yet`);
      return vm.containerMounts(container, vols, envs);
    },
    async tearDown(pod) {
      const uid = pod.metadata?.uid ?? '';
      set.delete(uid);
      await vm.tearDownPod(uid);
    },
    update: (pod) => vm.updatePod(pod),
  };
}
