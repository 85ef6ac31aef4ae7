// The container's runtime environment: env, argv and working directory, resolved as upstream's kubelet (and the
// CRI runtime's image-config merge) do. The kubelet calls makeEnvironmentVariables, then resolveCommand with its
// result, and puts both into the CRI ContainerConfig; a ContainerConfigError becomes the container's waiting
// state (reason CreateContainerConfigError / CreateContainerError, message = error.message).
export { makeEnvironmentVariables, type EnvironmentInput } from './env.js';
export { resolveCommand, type ResolvedCommand } from './command.js';
export { ContainerConfigError, isContainerConfigError, type ContainerConfigReason } from './errors.js';
export { expand, mappingFuncFor, type Mapping } from './expansion.js';
export { podFieldValue, podMetadataFieldValue, formatMap, type PodAddresses } from './field-path.js';
export { containerResourceValue, type NodeAllocatable } from './resource-value.js';
export { serviceEnvVars, listServicesForPod } from './service-env.js';
export { apiObjectSource, secretData, configMapData, type ObjectSource } from './object-source.js';
export { apiConfigResolver, type ConfigResolverOptions } from './resolver.js';
