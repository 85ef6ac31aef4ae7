// What both sandbox modes (runc and plain processes) share: the image service over the local image store, the
// records of sandboxes and containers the status calls answer from, and how an exit becomes a CRI reason.
import crypto from 'node:crypto';
import path from 'node:path';
import { notFound } from '../../../api/errors.js';
import { imageNotPresentMessage } from '../../../images/index.js';
import type { ImageStoreReader, ResolvedImage } from '../../../images/index.js';
import type {
  ContainerConfig, ContainerFilter, ContainerState, ContainerStatus, Image, ImageSpec, PodSandboxConfig, PodSandboxStatus, SandboxState,
} from '../runtime.js';
import type { MainProcess } from './main-process.js';

export function newId(): string {
  return crypto.randomBytes(32).toString('hex');
}

export function nowNs(): number {
  return Date.now() * 1e6;
}

export function toImage(r: ResolvedImage): Image {
  return {
    id: r.id, repoTags: r.repoTags, repoDigests: r.repoDigests, size: r.size,
    config: {
      entrypoint: r.config.entrypoint, cmd: r.config.cmd, env: r.config.env, workingDir: r.config.workingDir,
      user: r.config.user, exposedPorts: r.config.exposedPorts,
    },
  };
}


export interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  state: SandboxState;
  createdAt: number;
  ip: string;
  missingIsolation: string[];
}

export interface ContainerRecord {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  image: ResolvedImage;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  logPath: string;
  main: MainProcess | null;
  /** Set when the runtime sends the stop signals, so a SIGKILL exit is not mistaken for an OOM kill. */
  stopping: boolean;
}

export const sandboxesRef = { resource: 'podsandboxes' };
export const containersRef = { resource: 'containers' };

export class Records {
  readonly sandboxes = new Map<string, SandboxRecord>();
  readonly containers = new Map<string, ContainerRecord>();

  sandbox(id: string): SandboxRecord {
    const s = this.sandboxes.get(id);
    if (!s) throw notFound(sandboxesRef, id);
    return s;
  }

  container(id: string): ContainerRecord {
    const c = this.containers.get(id);
    if (!c) throw notFound(containersRef, id);
    return c;
  }

  containersOf(sandboxId: string): ContainerRecord[] {
    return [...this.containers.values()].filter((c) => c.sandboxId === sandboxId);
  }

  sandboxStatus(s: SandboxRecord): PodSandboxStatus {
    return {
      id: s.id, metadata: { ...s.config.metadata }, state: s.state, createdAt: s.createdAt,
      network: { ip: s.ip, additionalIps: [] }, labels: { ...s.config.labels }, annotations: { ...s.config.annotations },
      missingIsolation: [...s.missingIsolation],
    };
  }

  /** One pass, statuses made only for matches: the kubelet lists a pod's sandboxes at every sync of every pod. */
  listSandboxes(filter?: { id?: string; state?: SandboxState; labelSelector?: Record<string, string> }): PodSandboxStatus[] {
    const selector = filter?.labelSelector ? Object.entries(filter.labelSelector) : [];
    const out: PodSandboxStatus[] = [];
    for (const s of this.sandboxes.values()) {
      if (filter?.id && s.id !== filter.id && !s.id.startsWith(filter.id)) continue;
      if (filter?.state && s.state !== filter.state) continue;
      if (!selector.every(([k, v]) => s.config.labels[k] === v)) continue;
      out.push(this.sandboxStatus(s));
    }
    return out;
  }

  containerStatus(c: ContainerRecord): ContainerStatus {
    return {
      id: c.id, podSandboxId: c.sandboxId, metadata: { ...c.config.metadata }, state: c.state, createdAt: c.createdAt, startedAt: c.startedAt,
      finishedAt: c.finishedAt, exitCode: c.exitCode, image: { image: c.config.image.image }, imageRef: c.image.id,
      reason: c.reason, message: c.message, labels: { ...c.config.labels }, annotations: { ...c.config.annotations },
      logPath: c.logPath,
    };
  }

  listContainers(filter?: ContainerFilter): ContainerStatus[] {
    const selector = filter?.labelSelector ? Object.entries(filter.labelSelector) : [];
    const out: ContainerStatus[] = [];
    for (const c of this.containers.values()) {
      if (!selector.every(([k, v]) => c.config.labels[k] === v)) continue;
      if (filter?.id && c.id !== filter.id && !c.id.startsWith(filter.id)) continue;
      if (filter?.podSandboxId && c.sandboxId !== filter.podSandboxId) continue;
      if (filter?.state && c.state !== filter.state) continue;
      out.push(this.containerStatus(c));
    }
    return out;
  }
}

/** CRI's reason for an exit: OOMKilled, Completed or Error. */
export function exitReason(code: number, oomKilled: boolean): string {
  if (oomKilled) return 'OOMKilled';
  return code === 0 ? 'Completed' : 'Error';
}

export function containerLogPath(sandbox: PodSandboxConfig, config: ContainerConfig): string {
  return path.isAbsolute(config.logPath) ? config.logPath : path.join(sandbox.logDirectory, config.logPath);
}

/** The image service over the local store: listing, status, "pull" (= resolve or explain), removal. */
export class LocalImageService {
  constructor(private readonly images: ImageStoreReader) {}

  async listImages(): Promise<Image[]> {
    return (await this.images.list()).map(toImage);
  }

  async imageStatus(spec: ImageSpec): Promise<Image | null> {
    const r = await this.images.resolve(spec.image);
    return r ? toImage(r) : null;
  }

  async pullImage(spec: ImageSpec): Promise<string> {
    const r = await this.images.resolve(spec.image);
    if (!r) throw new Error(imageNotPresentMessage(spec.image));
    return r.id;
  }

  async removeImage(spec: ImageSpec): Promise<void> {
    await this.images.remove(spec.image);
  }

  async resolve(ref: string): Promise<ResolvedImage> {
    const r = await this.images.resolve(ref);
    if (!r) throw new Error(imageNotPresentMessage(ref));
    return r;
  }
}
