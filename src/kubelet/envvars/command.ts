// The argv and working directory of a container (upstream's ExpandContainerCommandAndArgs, then the CRI
// runtime's merge with the image config, as containerd's WithProcessArgs / moby's):
//   - the pod's command and args are $(VAR)-expanded against the container's final env (image CMD/ENTRYPOINT
//     are not expanded);
//   - command set → it replaces ENTRYPOINT and CMD is dropped (args, if any, follow it);
//   - only args set → ENTRYPOINT + args (args replace CMD);
//   - neither → ENTRYPOINT + CMD;
//   - nothing at all → CreateContainerError "no command specified".
// workingDir: the container's, else the image's WORKDIR, else unset (the runtime's default, "/").
import type { Container } from 'kubernetes-types/core/v1.js';
import type { ImageRuntimeConfig } from '../../images/index.js';
import type { KeyValue } from '../runtime/runtime.js';
import { ContainerConfigError } from './errors.js';
import { expand, mappingFuncFor } from './expansion.js';

export interface ResolvedCommand {
  /** The executable part: the pod's command, else the image's ENTRYPOINT. */
  command: string[];
  /** What follows it: the pod's args, else (without a pod command) the image's CMD. */
  args: string[];
  workingDir?: string;
}

export function resolveCommand(container: Container, image: ImageRuntimeConfig | undefined, envs: readonly KeyValue[]): ResolvedCommand {
  const mapping = mappingFuncFor(new Map(envs.map((e) => [e.key, e.value])));
  const podCommand = (container.command ?? []).map((c) => expand(c, mapping));
  const podArgs = (container.args ?? []).map((a) => expand(a, mapping));
  let command = podCommand;
  let args = podArgs;
  if (command.length === 0) {
    if (args.length === 0) args = [...(image?.cmd ?? [])];
    const ep = image?.entrypoint ?? [];
    if (!(ep.length === 1 && ep[0] === '')) command = [...ep];
  }
  if (command.length === 0 && args.length === 0) {
    throw new ContainerConfigError('CreateContainerError', 'failed to generate container spec: no command specified');
  }
  const workingDir = container.workingDir || image?.workingDir || undefined;
  return { command, args, workingDir };
}
