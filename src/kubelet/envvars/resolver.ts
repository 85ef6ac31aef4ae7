// The kubelet's ContainerConfigResolver (hooks.ts) backed by this module: env as upstream's kubelet makes it,
// then command/args/workingDir against the image. Services for the service-link variables and the node's
// allocatable are read when a container is created.
import type { Container, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../client/client.js';
import type { ImageRuntimeConfig } from '../../images/index.js';
import type { ContainerConfigResolver, ResolvedContainerConfig } from '../hooks.js';
import { resolveCommand } from './command.js';
import { makeEnvironmentVariables } from './env.js';
import { ContainerConfigError } from './errors.js';
import { apiObjectSource, type ObjectSource } from './object-source.js';
import type { NodeAllocatable } from './resource-value.js';
import { listServicesForPod } from './service-env.js';

export interface ConfigResolverOptions {
  client: Client;
  /** Defaults to direct GETs through client. */
  objects?: ObjectSource;
  /** The Services a pod in `namespace` sees; defaults to listing them through client. */
  services?: (namespace: string) => Promise<readonly Service[]>;
  /** node.status.allocatable (resourceFieldRef of containers without limits). */
  nodeAllocatable?: () => NodeAllocatable;
  /** Warning events on the pod (InvalidEnvironmentVariableNames). */
  warn?: (pod: Pod, reason: string, message: string) => void;
}

export function apiConfigResolver(o: ConfigResolverOptions): ContainerConfigResolver {
  const objects = o.objects ?? apiObjectSource(o.client);
  const services = o.services ?? ((ns: string) => listServicesForPod(o.client, ns));
  return {
    async resolve(pod: Pod, container: Container, ctx: { image?: ImageRuntimeConfig; podIPs: string[]; hostIPs: string[] }): Promise<ResolvedContainerConfig> {
      const namespace = pod.metadata?.namespace ?? 'default';
      let svcs: readonly Service[];
      try { svcs = await services(namespace); } catch (e) {
        throw new ContainerConfigError('CreateContainerConfigError', `failed to list services when setting up env vars: ${(e as Error).message}`);
      }
      const envs = await makeEnvironmentVariables({
        pod, container, image: ctx.image, objects, services: svcs, podIPs: ctx.podIPs, hostIPs: ctx.hostIPs,
        nodeAllocatable: o.nodeAllocatable?.(), warn: (reason, message) => o.warn?.(pod, reason, message),
      });
      const cmd = resolveCommand(container, ctx.image, envs);
      return { ...cmd, envs };
    },
  };
}
