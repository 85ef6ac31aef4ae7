// The call points through which the kubelet uses its helpers: the volume manager (src/kubelet/volumes), the
// container env/command resolver (src/kubelet/envvars), the probe manager and lifecycle-handler runner
// (src/kubelet/prober). kubelet.ts plugs the real ones in by default;
// tests may pass their own.
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import type { ImageRuntimeConfig } from '../images/index.js';
import type { KeyValue, Mount } from './runtime/runtime.js';

export interface ResolvedContainerConfig { command: string[]; args: string[]; workingDir?: string; envs: KeyValue[] }

/** Thrown by a resolver: the container waits with `reason` (CreateContainerConfigError, ...) and this message. */
export interface ContainerConfigFailure extends Error { reason: string }
export const isContainerConfigFailure = (e: unknown): e is ContainerConfigFailure =>
  e instanceof Error && typeof (e as { reason?: unknown }).reason === 'string' && /^Create/.test((e as unknown as { reason: string }).reason);

export interface ContainerConfigResolver {
  /** env (image env underneath), command/args against the image's ENTRYPOINT/CMD, workingDir. */
  resolve(pod: Pod, container: Container, ctx: { image?: ImageRuntimeConfig; podIPs: string[]; hostIPs: string[] }): Promise<ResolvedContainerConfig>;
}

export interface VolumeHooks {
  /** Prepares every volume of the pod (idempotent); throws with a message for a FailedMount event. */
  setUp(pod: Pod): Promise<void>;
  /** The CRI mounts of one container (after setUp); envs (the container's final env) expand subPathExpr. */
  mounts(pod: Pod, container: Container, envs?: readonly KeyValue[]): Mount[];
  /** A newer pod object (labels, annotations) for downwardAPI files; optional. */
  update?(pod: Pod): Promise<void>;
  /** Removes what setUp made (after the pod's containers are gone). */
  tearDown(pod: Pod): Promise<void>;
}

export interface ProbeHooks {
  /** Starts probing the pod's running containers (idempotent; called on every sync). */
  sync(pod: Pod, running: { name: string; containerId: string; startedAt?: number }[], podIP?: string): void;
  /** Readiness of a running container (true without a readiness probe). */
  ready(pod: Pod, container: Container): boolean;
  /** Whether a running container's startup probe has succeeded (true without one). */
  started(pod: Pod, container: Container): boolean;
  /** A liveness or startup probe failed beyond its threshold: the Killing event's whole message, once. */
  takeRestart(pod: Pod, container: Container, containerId: string): string | undefined;
  removePod(uid: string): void;
  stop(): void;
}

export interface LifecycleHooks {
  /** Runs a postStart/preStop handler; throws with a message on failure. */
  run(pod: Pod, container: Container, containerId: string, handler: LifecycleHandler, podIP: string | undefined, timeoutSeconds: number): Promise<void>;
}
