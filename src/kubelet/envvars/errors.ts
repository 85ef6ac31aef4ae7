// The errors the kubelet turns into a waiting container state. `reason` is what containerStatuses[].state.waiting
// .reason shows (upstream's CreateContainerConfigError for env/volume references that cannot be resolved,
// CreateContainerError when the runtime config is unusable); `message` is upstream's text and never holds Secret
// data (only names and keys).

export type ContainerConfigReason = 'CreateContainerConfigError' | 'CreateContainerError';

export class ContainerConfigError extends Error {
  constructor(readonly reason: ContainerConfigReason, message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

export const isContainerConfigError = (e: unknown): e is ContainerConfigError => e instanceof ContainerConfigError;
