// Test doubles for the kubelet: an in-memory ContainerRuntime whose "containers" run until the test (or the
// program given for an image) ends them, and whose images are whatever the test adds. No process ever runs.
import type {
  ContainerConfig, ContainerFilter, ContainerRuntime, ContainerStatus, ExecOptions, Image, ImageSpec, PodSandboxConfig,
  PodSandboxStatus, RuntimeVersion, SandboxState,
} from './runtime/runtime.js';

/** What a fake container does once started: runs forever (undefined) or exits with a code after ms. */
export type FakeProgram = (config: ContainerConfig) => { exitCode: number; afterMs: number; reason?: string } | undefined;

interface Sandbox extends PodSandboxStatus { config: PodSandboxConfig }
interface Container extends ContainerStatus { config: ContainerConfig; timer?: NodeJS.Timeout }

export class FakeRuntime implements ContainerRuntime {
  readonly sandboxes = new Map<string, Sandbox>();
  readonly containers = new Map<string, Container>();
  readonly images = new Map<string, Image>();
  /** Every call, in order ("runPodSandbox", "createContainer:app", "stopContainer:app", ...). */
  readonly calls: string[] = [];
  /** Commands run through execSync (preStop/postStart exec hooks), with the container's name. */
  readonly execs: { container: string; cmd: string[] }[] = [];
  podCIDR?: string;
  private seq = 0;
  private ipSeq = 1;

  constructor(private readonly program: FakeProgram = () => undefined) {}

  addImage(ref: string, config: Image['config'] = { cmd: ['/app'] }): Image {
    const img: Image = { id: `sha256:${(++this.seq).toString(16).padStart(64, '0')}`, repoTags: [ref], repoDigests: [], size: 1000, config };
    this.images.set(ref, img);
    return img;
  }

  async version(): Promise<RuntimeVersion> { return { runtimeName: 'fake', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' }; }
  async updateRuntimeConfig(config: { podCIDR: string }): Promise<void> { this.podCIDR = config.podCIDR; }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = `sb${++this.seq}`;
    this.calls.push('runPodSandbox');
    const prefix = (this.podCIDR ?? '10.244.0.0/24').split('.').slice(0, 3).join('.');
    this.sandboxes.set(id, {
      id, config, metadata: config.metadata, state: 'SANDBOX_READY', createdAt: Date.now() * 1e6 + this.seq,
      network: { ip: config.namespaceOptions.network === 'NODE' ? '' : `${prefix}.${++this.ipSeq}`, additionalIps: [] },
      labels: config.labels, annotations: config.annotations,
    });
    return id;
  }
  async stopPodSandbox(id: string): Promise<void> {
    const s = this.sandboxes.get(id);
    if (!s) return;
    for (const c of this.containers.values()) if (c.podSandboxId === id) this.exit(c.id, 137, 'Error', false);
    s.state = 'SANDBOX_NOTREADY';
  }
  async removePodSandbox(id: string): Promise<void> {
    this.calls.push('removePodSandbox');
    for (const c of [...this.containers.values()]) if (c.podSandboxId === id) this.containers.delete(c.id);
    this.sandboxes.delete(id);
  }
  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const s = this.sandboxes.get(id);
    if (!s) throw new Error(`sandbox ${id} not found`);
    return strip(s);
  }
  async listPodSandbox(filter?: { id?: string; state?: SandboxState; labelSelector?: Record<string, string> }): Promise<PodSandboxStatus[]> {
    return [...this.sandboxes.values()].filter((s) => (!filter?.id || s.id === filter.id) && (!filter?.state || s.state === filter.state)
      && Object.entries(filter?.labelSelector ?? {}).every(([k, v]) => s.labels[k] === v)).map(strip);
  }

  async createContainer(podSandboxId: string, config: ContainerConfig): Promise<string> {
    const id = `c${++this.seq}`;
    this.calls.push(`createContainer:${config.metadata.name}`);
    this.containers.set(id, {
      id, podSandboxId, config, metadata: config.metadata, state: 'CONTAINER_CREATED', createdAt: Date.now() * 1e6 + this.seq, startedAt: 0, finishedAt: 0,
      exitCode: 0, image: config.image, imageRef: config.image.image, reason: '', message: '', labels: config.labels, annotations: config.annotations,
      logPath: config.logPath,
    });
    return id;
  }
  async startContainer(id: string): Promise<void> {
    const c = this.containers.get(id)!;
    this.calls.push(`startContainer:${c.metadata.name}`);
    c.state = 'CONTAINER_RUNNING';
    c.startedAt = Date.now() * 1e6;
    const p = this.program(c.config);
    if (p) c.timer = setTimeout(() => this.exit(id, p.exitCode, p.reason), p.afterMs);
  }
  /** Ends a running container as its process exiting would. */
  exit(id: string, exitCode: number, reason?: string, record = true): void {
    const c = this.containers.get(id);
    if (!c || c.state !== 'CONTAINER_RUNNING') return;
    clearTimeout(c.timer);
    if (record) this.calls.push(`exit:${c.metadata.name}:${exitCode}`);
    c.state = 'CONTAINER_EXITED';
    c.exitCode = exitCode;
    c.reason = reason ?? (exitCode === 0 ? 'Completed' : 'Error');
    c.finishedAt = Date.now() * 1e6;
  }
  async stopContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (c) this.calls.push(`stopContainer:${c.metadata.name}`);
    this.exit(id, 143, 'Error', false);
  }
  async removeContainer(id: string): Promise<void> { this.containers.delete(id); }
  async listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]> {
    return [...this.containers.values()].filter((c) => (!filter?.id || c.id === filter.id) && (!filter?.podSandboxId || c.podSandboxId === filter.podSandboxId)
      && (!filter?.state || c.state === filter.state) && Object.entries(filter?.labelSelector ?? {}).every(([k, v]) => c.labels[k] === v)).map(stripC);
  }
  async containerStatus(id: string): Promise<ContainerStatus> {
    const c = this.containers.get(id);
    if (!c) throw new Error(`container ${id} not found`);
    return stripC(c);
  }
  async execSync(id: string, cmd: string[]): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number }> {
    this.execs.push({ container: this.containers.get(id)?.metadata.name ?? id, cmd });
    return { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0 };
  }
  async exec(_id: string, _opts: ExecOptions): Promise<{ exitCode: number }> { return { exitCode: 0 }; }
  async attach(): Promise<void> {}
  async portForward(): Promise<never> { throw new Error('not supported by the fake runtime'); }
  async shutdown(): Promise<void> {
    for (const c of this.containers.values()) this.exit(c.id, 137, 'Error', false);
    this.calls.push('shutdown');
  }

  async listImages(): Promise<Image[]> { return [...this.images.values()]; }
  async imageStatus(spec: ImageSpec): Promise<Image | null> { return this.images.get(spec.image) ?? null; }
  async pullImage(spec: ImageSpec): Promise<string> {
    const img = this.images.get(spec.image);
    if (!img) throw new Error(`image "${spec.image}" is not in nanokube's image store; build it with \`nanokube image build -t ${spec.image} DIR\` or load it with \`nanokube image load FILE\``);
    return img.id;
  }
  async removeImage(spec: ImageSpec): Promise<void> { this.images.delete(spec.image); }

  running(name: string): Container[] { return [...this.containers.values()].filter((c) => c.metadata.name === name && c.state === 'CONTAINER_RUNNING'); }
}

function strip(s: Sandbox): PodSandboxStatus {
  const { config: _c, ...rest } = s;
  return structuredClone(rest);
}
function stripC(c: Container): ContainerStatus {
  const { config: _c, timer: _t, ...rest } = c;
  return structuredClone(rest);
}
