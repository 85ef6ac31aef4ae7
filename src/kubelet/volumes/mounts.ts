// A container's CRI mounts from its volumeMounts, as upstream's makeMounts (kubelet_pods.go): each mount at its
// absolute mountPath; subPath (or subPathExpr, $(VAR)-expanded against the container's env, every variable
// required and non-empty) joins the volume's folder, is created when missing, and must resolve inside the
// volume; readOnly is the mount's, forced for configMap/secret/downwardAPI/projected volumes as upstream's. Errors
// are CreateContainerConfigError with upstream's text.
import { lstatSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { Container } from 'kubernetes-types/core/v1.js';
import { ContainerConfigError } from '../envvars/errors.js';
import { expand } from '../envvars/expansion.js';
import type { KeyValue, Mount } from '../runtime/runtime.js';

/** A set-up volume: where it is on the host, and whether containers must see it read-only. */
export interface MountedVolume { hostPath: string; readOnly: boolean }
/** Volume name → mounted volume, as VolumeManager.setUpPod returns it. */
export type PodVolumes = ReadonlyMap<string, MountedVolume>;

const configError = (msg: string) => new ContainerConfigError('CreateContainerConfigError', msg);
const propagation = { None: 'private', HostToContainer: 'rslave', Bidirectional: 'rshared' } as const;

/** Upstream's ExpandContainerVolumeMounts. */
export function expandSubPathExpr(expr: string, envs: readonly KeyValue[]): string {
  const env = new Map(envs.map((e) => [e.key, e.value]));
  const missing = new Set<string>();
  const out = expand(expr, (k) => {
    const v = env.get(k);
    if (!v) missing.add(k);
    return v ?? '';
  });
  if (missing.size) throw configError(`missing value for ${[...missing].sort().join(', ')}`);
  return out;
}

const within = (root: string, p: string) => { const r = relative(root, p); return r === '' || (r !== '..' && !r.startsWith('../') && !isAbsolute(r)); };

const existsSync = (p: string) => { try { lstatSync(p); return true; } catch { return false; } };

/** Synchronous (a few stat/mkdir calls), so the kubelet can call it while building the container config. */
export function containerMounts(container: Container, volumes: PodVolumes, envs: readonly KeyValue[] = []): Mount[] {
  const mounts: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const vol = volumes.get(vm.name);
    if (!vol) throw configError(`cannot find volume "${vm.name}" to mount into container "${container.name}"`);
    let hostPath = vol.hostPath;
    let subPath = vm.subPath ?? '';
    if (vm.subPathExpr) subPath = expandSubPathExpr(vm.subPathExpr, envs);
    if (subPath) {
      if (isAbsolute(subPath)) throw configError(`error SubPath \`${subPath}\` must not be an absolute path`);
      if (subPath.split(/[\\/]/).includes('..')) throw configError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
      const full = join(vol.hostPath, subPath);
      if (!existsSync(full)) {
        try {
          const mode = statSync(vol.hostPath).mode & 0o7777;
          mkdirSync(full, { recursive: true, mode });
          if (!within(realpathSync(vol.hostPath), realpathSync(full))) throw new Error('escapes the volume');
        } catch {
          throw configError(`failed to create subPath directory for volumeMount "${vm.name}" of container "${container.name}"`);
        }
      }
      try {
        const resolved = realpathSync(full);
        if (!within(realpathSync(vol.hostPath), resolved)) throw new Error('escapes the volume');
        hostPath = resolved;
      } catch {
        throw configError(`failed to prepare subPath for volumeMount "${vm.name}" of container "${container.name}"`);
      }
    }
    const m: Mount = { containerPath: vm.mountPath, hostPath, readonly: vm.readOnly === true || vol.readOnly };
    const p = vm.mountPropagation as keyof typeof propagation | undefined;
    if (p && propagation[p]) m.propagation = propagation[p];
    mounts.push(m);
  }
  return mounts;
}

