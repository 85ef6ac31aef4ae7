// The sandbox runtime (DESIGN.md §3 "Runtime"): runc sandboxes with CNI networking when this node can have them,
// plain host processes otherwise. createSandboxRuntime chooses, cleans up what a killed predecessor on the same
// NANOKUBE_HOME left, and returns a ContainerRuntime plus the two node-specific knobs the kubelet needs.
import path from 'node:path';
import type { LogFn } from '../../../client/log.js';
import type { ImageStoreReader } from '../../../images/index.js';
import type { ContainerRuntime } from '../runtime.js';
import { findCniBinDir } from './cni.js';
import type { CriLogOptions } from './cri-log.js';
import { ProcessRuntime } from './process-runtime.js';
import { RuncRuntime } from './runc-runtime.js';

export { DEFAULT_LOG_MAX_FILES, DEFAULT_LOG_MAX_SIZE, CriLogWriter, criTimestamp } from './cri-log.js';
export { clusterNetworkNames } from './cni.js';
export { runcUnavailableReason } from './support.js';
import { runcUnavailableReason } from './support.js';
export { PROCESS_MODE_MISSING_ISOLATION } from './process-runtime.js';

export interface SandboxRuntimeOptions {
  /** NANOKUBE_HOME: runtime state under runtime/, CNI config and IPAM state under cni/. */
  home: string;
  images: ImageStoreReader;
  /** The node's podCIDR, when known; set later with setPodCIDR (it arrives from the API). */
  podCIDR?: string;
  log: LogFn;
  /** containerLogMaxSize / containerLogMaxFiles. */
  logOptions?: CriLogOptions;
  /** Force a mode; default: runc when possible. */
  mode?: 'runc' | 'process';
}

export interface SandboxRuntime extends ContainerRuntime {
  readonly mode: 'runc' | 'process';
  /** Why runc mode is not used (process mode only). */
  readonly fallbackReason?: string;
  setPodCIDR(cidr: string): void;
  updateRuntimeConfig(config: { podCIDR: string }): Promise<void>;
  shutdown(): Promise<void>;
}

export async function createSandboxRuntime(opts: SandboxRuntimeOptions): Promise<SandboxRuntime> {
  const why = opts.mode === 'process' ? 'process mode asked' : runcUnavailableReason();
  if (why && opts.mode === 'runc') throw new Error(`runc sandboxes are not available: ${why}`);
  if (!why) {
    const rt = new RuncRuntime({ home: opts.home, images: opts.images, cniBinDir: findCniBinDir()!, log: opts.log, logOptions: opts.logOptions });
    await rt.recover();
    if (opts.podCIDR) await rt.updateRuntimeConfig({ podCIDR: opts.podCIDR });
    return Object.assign(rt, { mode: 'runc' as const });
  }
  opts.log({ level: 'info', msg: 'pods run as plain host processes (no isolation)', reason: why });
  const rt = new ProcessRuntime({ images: opts.images, log: opts.log, logOptions: opts.logOptions, stateDir: path.join(opts.home, 'runtime', 'processes'), filesDir: path.join(opts.home, 'runtime', 'process-files') });
  await rt.recover();
  return Object.assign(rt, { mode: 'process' as const, fallbackReason: why });
}
