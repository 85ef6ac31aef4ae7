// The seam between the kubelet and whatever runs containers (DESIGN.md §3 "Runtime"): shaped like CRI's
// RuntimeService and ImageService (k8s.io/cri-api runtime/v1), trimmed to what the kubelet uses, in TypeScript
// terms. Implementations:
//   - sandbox/   default on Linux as root: runc with OCI bundles over overlay root filesystems, CNI for the pod
//                network; without root or off Linux, plain host processes on the host network (a "process" mode
//                that reports which isolation it lacks);
//   - simulated/ no processes at all (kwok-style, for scale);
//   - cri/       containerd over gRPC (later).
// Contract notes:
//   - IDs are opaque strings chosen by the runtime; the kubelet keeps no state the runtime cannot give back
//     (listPodSandbox/listContainers after a restart), so a kubelet restart re-adopts what is running.
//   - Every container writes its stdout/stderr to `logPath` in CRI's log format
//     (`<RFC3339Nano> <stdout|stderr> <F|P> <text>` per line) so the kubelet's log server reads one format.
//   - Timestamps are nanoseconds since the epoch, as CRI's.
import type { Duplex, Readable, Writable } from 'node:stream';

export type SandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface PodSandboxMetadata { name: string; namespace: string; uid: string; attempt: number }
export interface ContainerMetadata { name: string; attempt: number }

export interface PortMapping { protocol: 'TCP' | 'UDP' | 'SCTP'; containerPort: number; hostPort?: number; hostIp?: string }

export interface DNSConfig { servers: string[]; searches: string[]; options: string[] }

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  /** The pod's hostname (UTS namespace). */
  hostname: string;
  /**
   * The pod's fully qualified name when it has a subdomain (<hostname>.<subdomain>.<ns>.svc.<cluster domain>),
   * listed before the hostname on the pod IP's /etc/hosts line, as upstream's kubelet-managed hosts file.
   */
  hostnameFQDN?: string;
  /** Folder the kubelet gives this pod for logs: <logDirectory>/<container>/<attempt>.log. */
  logDirectory: string;
  dnsConfig?: DNSConfig;
  portMappings: PortMapping[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** hostNetwork / hostPID / hostIPC from the pod spec. */
  namespaceOptions: { network: 'POD' | 'NODE'; pid: 'POD' | 'CONTAINER' | 'NODE'; ipc: 'POD' | 'NODE' };
  /** The pod-level cgroup parent (QoS class folder), e.g. "kubepods/burstable/pod<uid>". */
  cgroupParent?: string;
  /** Overall pod resources, for the sandbox cgroup. */
  linux?: { sysctls?: Record<string, string> };
}

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: SandboxState;
  createdAt: number;
  /** The pod IP(s); empty when the pod shares the node's network. */
  network: { ip: string; additionalIps: string[] };
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Isolation this runtime could not give (e.g. ['network', 'mount', 'uts'] in process mode); empty when full. */
  missingIsolation?: string[];
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
  /** 'private' | 'rslave' | 'rshared' as CRI's MountPropagation; default private. */
  propagation?: 'private' | 'rslave' | 'rshared';
}

export interface KeyValue { key: string; value: string }

export interface LinuxContainerResources {
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuShares?: number;
  memoryLimitInBytes?: number;
  oomScoreAdj?: number;
}

export interface ContainerConfig {
  metadata: ContainerMetadata;
  /** An image reference the image service resolved (imageRef from pullImage / imageStatus). */
  image: { image: string };
  /** Final argv, already resolved by the kubelet against the image's ENTRYPOINT/CMD and $(VAR)-expanded. */
  command: string[];
  args: string[];
  workingDir?: string;
  envs: KeyValue[];
  mounts: Mount[];
  /** Relative to the sandbox's logDirectory. */
  logPath: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  linux?: {
    resources?: LinuxContainerResources;
    /**
     * The container whose PID namespace this one joins (CRI's NamespaceMode TARGET with target_id): an ephemeral
     * container started by `kubectl debug --target` sees that container's processes. Runtimes that cannot ignore it.
     */
    pidNamespaceTarget?: string;
    /**
     * CRI's LinuxContainerSecurityContext, already merged with the pod's (the kubelet's job): the user and group
     * (unset: the image's USER), supplemental groups (fsGroup and supplementalGroups; the runtime adds the primary
     * group and the user's groups in the image's /etc/group, as containerd), a read-only root filesystem,
     * capabilities over containerd's default set (all when privileged), and no_new_privs.
     */
    securityContext?: {
      runAsUser?: number; runAsGroup?: number; supplementalGroups?: number[];
      readonlyRootfs?: boolean; privileged?: boolean;
      capabilities?: { addCapabilities?: string[]; dropCapabilities?: string[] };
      noNewPrivs?: boolean;
    };
  };
}

export interface ContainerStatus {
  id: string;
  /** The sandbox the container belongs to (CRI's Container.pod_sandbox_id). */
  podSandboxId: string;
  metadata: ContainerMetadata;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** The image as the pod named it, and the resolved digest (imageID, e.g. "sha256:..."). */
  image: { image: string };
  imageRef: string;
  /** "OOMKilled", "Error", "Completed", ... as CRI's reason. */
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Absolute path of the container's CRI-format log file. */
  logPath: string;
}

/** CRI's ContainerFilter: every given field must match (labelSelector: each label equal). */
export interface ContainerFilter { podSandboxId?: string; state?: ContainerState; id?: string; labelSelector?: Record<string, string> }

export interface ExecOptions {
  cmd: string[];
  tty: boolean;
  stdin?: Readable;
  stdout?: Writable;
  /** Ignored (merged into stdout) when tty is true, as upstream's. */
  stderr?: Writable;
  /** Terminal size changes, only with tty. */
  resize?: AsyncIterable<{ width: number; height: number }> | { on(event: 'resize', f: (s: { width: number; height: number }) => void): void };
  /** Aborting kills the exec'd process. */
  signal?: AbortSignal;
}

/** CRI ContainerStats, trimmed to what the Summary API and metrics need. */
export interface ContainerStats {
  containerId: string;
  podSandboxId: string;
  /** The container's name (metadata.name). */
  name: string;
  /** When the figures were read, in nanoseconds since the epoch. */
  timestamp: number;
  /** CPU time used since the container started, all cores, in nanoseconds. */
  usageCoreNanoSeconds: number;
  /** Memory in use minus what the kernel can reclaim at once (inactive file pages): what limits and the OOM killer see. */
  workingSetBytes: number;
  usageBytes: number;
}

export interface RuntimeVersion { runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }

/** CRI RuntimeService, trimmed. */
export interface RuntimeService {
  version(): Promise<RuntimeVersion>;
  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** Stops every container of the sandbox and tears down its network; idempotent. */
  stopPodSandbox(podSandboxId: string): Promise<void>;
  /** Removes what stopPodSandbox left (folders, records); idempotent, NotFound is not an error. */
  removePodSandbox(podSandboxId: string): Promise<void>;
  podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus>;
  listPodSandbox(filter?: { id?: string; state?: SandboxState; labelSelector?: Record<string, string> }): Promise<PodSandboxStatus[]>;

  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(containerId: string): Promise<void>;
  /** SIGTERM, then SIGKILL after timeoutSeconds; the whole process tree goes. Idempotent. */
  stopContainer(containerId: string, timeoutSeconds: number): Promise<void>;
  removeContainer(containerId: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]>;
  containerStatus(containerId: string): Promise<ContainerStatus>;
  updateContainerResources?(containerId: string, resources: LinuxContainerResources): Promise<void>;
  /** CRI ListContainerStats: cumulative CPU and the memory working set of every running container. */
  listContainerStats?(): Promise<ContainerStats[]>;

  /** Runs cmd in the container and collects its output (exec probes, preStop exec hooks). */
  execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number }>;
  /** Streams an exec; resolves with the exit code once the process ends. */
  exec(containerId: string, opts: ExecOptions): Promise<{ exitCode: number }>;
  /** Attaches to the container's main process stdio (stdin only if the container was created with stdin). */
  attach(containerId: string, opts: Omit<ExecOptions, 'cmd'>): Promise<void>;
  /** A byte stream to `port` on 127.0.0.1 inside the sandbox's network namespace. */
  portForward(podSandboxId: string, port: number): Promise<Duplex>;

  /**
   * CRI's UpdateRuntimeConfig: the kubelet passes the node's podCIDR (node.spec.podCIDR, given by the node IPAM
   * controller) once it is known; a runtime with a pod network creates its CNI config from it. Sandboxes are not
   * requested before this has resolved (runtimes without a pod network may leave it out).
   */
  updateRuntimeConfig?(config: { podCIDR: string }): Promise<void>;

  /** Stops and removes everything this runtime started (nanokube stop), leaving no process, mount or netns. */
  shutdown?(): Promise<void>;
}

export interface ImageSpec { image: string }
export interface Image {
  /** "sha256:<config digest>" — what containerStatuses[].imageID shows. */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  /** The OCI image config's runtime part. */
  config: { entrypoint?: string[]; cmd?: string[]; env?: string[]; workingDir?: string; user?: string; exposedPorts?: string[] };
}

/** CRI ImageService, trimmed: nanokube's images come from the local store (`nanokube image build|load`). */
export interface ImageService {
  listImages(): Promise<Image[]>;
  /** null when the image is not present. */
  imageStatus(image: ImageSpec): Promise<Image | null>;
  /** Resolves a reference to a present image, or throws an error whose message says how to build or load it. */
  pullImage(image: ImageSpec): Promise<string>;
  removeImage(image: ImageSpec): Promise<void>;
}

export interface ContainerRuntime extends RuntimeService, ImageService {}
