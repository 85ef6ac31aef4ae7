// The kubelet's volume manager, trimmed to what nanokube's volumes need: per pod, it sets up each volume under
// <rootDir>/pods/<uid>/volumes/<plugin dir>/<name> (upstream's layout) and tears them down when the pod is gone.
//   configMap, secret, downwardAPI, projected  files written atomically (atomic-writer.ts), rewritten on every
//                                              setUpPod/updatePod and every resync period, so changed ConfigMaps,
//                                              Secrets and pod labels/annotations reach the files (upstream: within
//                                              the sync period plus its cache TTL, about a minute)
//   emptyDir                                   a 0777 folder; medium Memory is a tmpfs when running as root on
//                                              Linux, else a plain folder and a note (the Warning event the kubelet
//                                              records)
//   hostPath                                   the host's path, after upstream's type checks
//   persistentVolumeClaim                      the bound PersistentVolume's hostPath or local path (claim → volume,
//                                              read through the API), checked like a hostPath volume; an unbound
//                                              claim fails the mount until the binder has bound it
//   the rest                                   FailedMount "not supported by nanokube yet"
// A volume that cannot be set up throws VolumeSetupError, whose failures carry upstream's FailedMount text
// (`MountVolume.SetUp failed for volume "config" : configmap "app-config" not found`). Secret contents are
// written to disk (upstream uses a tmpfs for secret volumes; nanokube keeps them under NANOKUBE_HOME, mode 0644
// unless defaultMode says otherwise) and never logged.
import { chmod, mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { realClock, type Clock, type TimerHandle } from '../../client/clock.js';
import { discardLog, errorText, type LogFn } from '../../client/log.js';
import type { ObjectSource } from '../envvars/object-source.js';
import type { NodeAllocatable } from '../envvars/resource-value.js';
import { value } from '../../api/quantity.js';
import type { KeyValue, Mount } from '../runtime/runtime.js';
import { writeAtomically, type Payload } from './atomic-writer.js';
import { checkHostPath } from './host-path.js';
import { containerMounts, type MountedVolume, type PodVolumes } from './mounts.js';
import {
  configMapVolumePayload, DEFAULT_MODE, downwardAPIPayload, projectedPayload, secretVolumePayload, type ServiceAccountTokenSource,
} from './payloads.js';
import { canChangeOwnership, setVolumeOwnership } from './ownership.js';
import { canMountTmpfs, mountTmpfs, unmountAll } from './tmpfs.js';

export const PLUGIN_DIRS = {
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  emptyDir: 'kubernetes.io~empty-dir',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;

export interface VolumeFailure { volume: string; message: string }

/** One or more volumes of a pod could not be set up; each failure is one FailedMount Warning event. */
export class VolumeSetupError extends Error {
  readonly reason = 'FailedMount';
  constructor(readonly failures: VolumeFailure[]) {
    super(failures.map((f) => f.message).join('; '));
    this.name = 'VolumeSetupError';
  }
}
export const isVolumeSetupError = (e: unknown): e is VolumeSetupError => e instanceof VolumeSetupError;

export interface VolumeEvent { pod: Pod; type: 'Normal' | 'Warning'; reason: string; message: string }

export interface VolumeManagerOptions {
  /** The kubelet's folder (NANOKUBE_HOME/kubelet): volumes go under <rootDir>/pods/<uid>/volumes. */
  rootDir: string;
  /** Secrets and ConfigMaps, read through the API. */
  objects: ObjectSource;
  /** TokenRequest for projected serviceAccountToken sources; without it the token file is left out with a note. */
  tokens?: ServiceAccountTokenSource;
  /** node.status.allocatable, for resourceFieldRef items of containers without limits. */
  nodeAllocatable?: () => NodeAllocatable;
  clock?: Clock;
  log?: LogFn;
  /** How often content volumes are rewritten from the API; default 10 s. */
  resyncPeriodMs?: number;
  /** tmpfs for emptyDir medium Memory; default: running as root on Linux. */
  useTmpfs?: boolean;
  /** Events worth recording on the pod: FailedMount on resync, notes about what nanokube left out. */
  onEvent?: (e: VolumeEvent) => void;
}

/**
 * `owned`: the volumes (by name) whose fsGroup ownership is set, so the walk happens once per pod, not per sync.
 * `written`: each content volume's payload as this process last wrote it, so a sync or resync that finds the same
 * payload touches no file (the atomic writer would read every file back to find that out).
 */
interface PodEntry { pod: Pod; chain: Promise<unknown>; notes: Set<string>; owned: Set<string>; written: Map<string, Payload> }

export class VolumeManager {
  private readonly clock: Clock;
  private readonly log: LogFn;
  private readonly pods = new Map<string, PodEntry>();
  private timer?: TimerHandle;
  private stopped = true;

  constructor(private readonly opts: VolumeManagerOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? discardLog;
  }

  /** <rootDir>/pods/<uid>/volumes. */
  podVolumesDir(uid: string): string { return join(this.opts.rootDir, 'pods', uid, 'volumes'); }

  /**
   * Sets up every volume of the pod (idempotent: call it on each pod sync with the latest pod object). Resolves
   * with volume name → host path; throws VolumeSetupError listing each volume that failed.
   */
  setUpPod(pod: Pod): Promise<PodVolumes> {
    const uid = pod.metadata?.uid;
    if (!uid) return Promise.reject(new Error('pod has no uid'));
    let entry = this.pods.get(uid);
    if (!entry) { entry = { pod, chain: Promise.resolve(), notes: new Set(), owned: new Set(), written: new Map() }; this.pods.set(uid, entry); }
    entry.pod = pod;
    return this.serialize(entry, () => this.setUp(entry!, true));
  }

  /** Records a newer pod object (labels/annotations changed) and rewrites its downwardAPI/projected files. */
  async updatePod(pod: Pod): Promise<void> {
    const entry = this.pods.get(pod.metadata?.uid ?? '');
    if (!entry) return;
    entry.pod = pod;
    await this.serialize(entry, () => this.setUp(entry, false)).catch(() => undefined);
  }

  /** CRI mounts for one container (see mounts.ts); envs is its final env, for subPathExpr. */
  containerMounts(container: Container, volumes: PodVolumes, envs: readonly KeyValue[] = []): Mount[] {
    return containerMounts(container, volumes, envs);
  }

  /** Unmounts and removes every volume of the pod; the pod is no longer resynced. Idempotent. */
  async tearDownPod(uid: string): Promise<void> {
    const entry = this.pods.get(uid);
    this.pods.delete(uid);
    if (entry) await entry.chain.catch(() => undefined);
    const dir = this.podVolumesDir(uid);
    await unmountAll(dir);
    await rm(dir, { recursive: true, force: true });
    // The pod's own folder goes too once nothing else (of the kubelet's) is left in it.
    await rmdir(join(this.opts.rootDir, 'pods', uid)).catch(() => undefined);
  }

  /**
   * Tears down the volumes of every pod folder under <rootDir>/pods whose uid is not active (after a restart or
   * a crash: what the previous process left, mounts included).
   */
  async cleanupOrphanedPods(activeUids: ReadonlySet<string>): Promise<string[]> {
    let uids: string[];
    try { uids = await readdir(join(this.opts.rootDir, 'pods')); } catch { return []; }
    const removed: string[] = [];
    for (const uid of uids) {
      if (activeUids.has(uid)) continue;
      await this.tearDownPod(uid);
      await rm(join(this.opts.rootDir, 'pods', uid), { recursive: true, force: true });
      removed.push(uid);
    }
    return removed;
  }

  /** Starts the periodic resync of configMap/secret/downwardAPI/projected volumes. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Tears down every pod's volumes (nanokube stop): nothing stays mounted. */
  async shutdown(): Promise<void> {
    this.stop();
    for (const uid of [...this.pods.keys()]) await this.tearDownPod(uid);
  }

  /** Rewrites every registered pod's content volumes once (what the timer does). */
  async resync(): Promise<void> {
    await Promise.all([...this.pods.values()].map((entry) =>
      this.serialize(entry, () => this.setUp(entry, false)).catch((e) => {
        if (!(e instanceof VolumeSetupError)) this.log({ level: 'warn', msg: 'volume resync failed', pod: entry.pod.metadata?.name, error: errorText(e) });
        else for (const f of e.failures) this.opts.onEvent?.({ pod: entry.pod, type: 'Warning', reason: 'FailedMount', message: f.message });
      })));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      void this.resync().finally(() => this.schedule());
    }, this.opts.resyncPeriodMs ?? 10_000);
  }

  private serialize<T>(entry: PodEntry, f: () => Promise<T>): Promise<T> {
    const p = entry.chain.catch(() => undefined).then(f);
    entry.chain = p;
    return p;
  }

  /** Sets up all volumes (first=true) or only rewrites content volumes (resync/update). */
  private async setUp(entry: PodEntry, all: boolean): Promise<PodVolumes> {
    const pod = entry.pod;
    const uid = pod.metadata!.uid!;
    const out = new Map<string, MountedVolume>();
    const failures: VolumeFailure[] = [];
    for (const vol of pod.spec?.volumes ?? []) {
      try {
        const mv = await this.setUpVolume(entry, uid, vol, all);
        if (mv) out.set(vol.name, mv);
      } catch (e) {
        failures.push({ volume: vol.name, message: `MountVolume.SetUp failed for volume "${vol.name}" : ${errorText(e)}` });
      }
    }
    if (failures.length) throw new VolumeSetupError(failures);
    return out;
  }

  /** The PersistentVolume bound to a claim (upstream's getPVCExtractPV). */
  private async boundVolume(namespace: string, claimName: string): Promise<KubeObject> {
    const { getPersistentVolumeClaim, getPersistentVolume } = this.opts.objects;
    if (!getPersistentVolumeClaim || !getPersistentVolume) throw new Error('persistentVolumeClaim volumes need an API object source');
    const pvc = await getPersistentVolumeClaim(namespace, claimName);
    const volumeName = pvc.spec?.volumeName ?? '';
    if (pvc.status?.phase !== 'Bound' || !volumeName) {
      throw new Error(`PVC ${namespace}/${claimName} has non-bound phase (${JSON.stringify(pvc.status?.phase ?? '')}) or empty pvc.Spec.VolumeName (${JSON.stringify(volumeName)})`);
    }
    return getPersistentVolume(volumeName);
  }

  private note(entry: PodEntry, message: string): void {
    if (entry.notes.has(message)) return;
    entry.notes.add(message);
    this.opts.onEvent?.({ pod: entry.pod, type: 'Warning', reason: 'VolumeNotFullySupported', message });
  }

  private async setUpVolume(entry: PodEntry, uid: string, vol: Volume, all: boolean): Promise<MountedVolume | undefined> {
    const pod = entry.pod;
    const namespace = pod.metadata?.namespace ?? 'default';
    const dirFor = (plugin: string) => join(this.podVolumesDir(uid), plugin, vol.name);
    const allocatable = this.opts.nodeAllocatable?.() ?? {};
    const fsGroup = canChangeOwnership() ? pod.spec?.securityContext?.fsGroup : undefined;
    const ownership = async (dir: string, readOnly: boolean, always = false) => {
      if (fsGroup == null || (!always && entry.owned.has(vol.name))) return;
      await setVolumeOwnership(dir, fsGroup, readOnly, pod.spec?.securityContext?.fsGroupChangePolicy);
      entry.owned.add(vol.name);
    };
    const write = async (plugin: string, payload: Payload) => {
      const dir = dirFor(plugin);
      if (samePayload(entry.written.get(vol.name), payload)) return { hostPath: dir, readOnly: true };
      entry.written.delete(vol.name);
      const wrote = await writeAtomically(dir, payload, new Date(this.clock.now()));
      entry.written.set(vol.name, payload);
      if (wrote) {
        this.log({ level: 'info', msg: 'volume content written', pod: `${namespace}/${pod.metadata?.name}`, volume: vol.name, files: payload.size });
        await ownership(dir, true, true);
      }
      return { hostPath: dir, readOnly: true };
    };
    if (vol.configMap) {
      const s = vol.configMap;
      return write(PLUGIN_DIRS.configMap, await configMapVolumePayload(this.opts.objects, namespace, s.name ?? '', s.items, s.defaultMode ?? DEFAULT_MODE, s.optional === true));
    }
    if (vol.secret) {
      const s = vol.secret;
      return write(PLUGIN_DIRS.secret, await secretVolumePayload(this.opts.objects, namespace, s.secretName ?? '', s.items, s.defaultMode ?? DEFAULT_MODE, s.optional === true));
    }
    if (vol.downwardAPI) {
      return write(PLUGIN_DIRS.downwardAPI, downwardAPIPayload(pod, vol.downwardAPI.items ?? [], vol.downwardAPI.defaultMode ?? DEFAULT_MODE, allocatable));
    }
    if (vol.projected) {
      const payload = await projectedPayload({ pod, objects: this.opts.objects, allocatable, tokens: this.opts.tokens, note: (m) => this.note(entry, m) },
        vol.projected.sources ?? [], vol.projected.defaultMode ?? DEFAULT_MODE);
      return write(PLUGIN_DIRS.projected, payload);
    }
    if (vol.emptyDir) {
      const dir = dirFor(PLUGIN_DIRS.emptyDir);
      if (all) {
        // 0777 as upstream's emptyDir whatever the umask, so a container running as any user can write there (set
        // once: a later sync keeps fsGroup's setgid bit).
        if (await mkdir(dir, { recursive: true, mode: 0o777 }) !== undefined) await chmod(dir, 0o777);
        if (vol.emptyDir.medium === 'Memory') {
          if (this.opts.useTmpfs ?? canMountTmpfs()) {
            const size = vol.emptyDir.sizeLimit ? value(vol.emptyDir.sizeLimit) : undefined;
            await mountTmpfs(dir, size);
          } else {
            this.note(entry, `emptyDir "${vol.name}" with medium Memory is a plain folder on disk: mounting a tmpfs needs root on Linux`);
          }
        }
        await ownership(dir, false);
      }
      return { hostPath: dir, readOnly: false };
    }
    if (vol.hostPath) {
      if (all) await checkHostPath(vol.hostPath);
      return { hostPath: vol.hostPath.path, readOnly: false };
    }
    if (vol.persistentVolumeClaim) {
      const pv = await this.boundVolume(namespace, vol.persistentVolumeClaim.claimName);
      const source = pv.spec?.hostPath ?? pv.spec?.local;
      if (!source?.path) throw new Error(`persistentvolume "${pv.metadata.name}" has no hostPath or local source, which is all nanokube mounts`);
      if (all) {
        if (pv.spec?.hostPath) await checkHostPath(pv.spec.hostPath);
        else await checkHostPath({ path: source.path, type: 'Directory' });
        if (pv.spec?.local && vol.persistentVolumeClaim.readOnly !== true) await ownership(source.path, false);
      }
      return { hostPath: source.path, readOnly: vol.persistentVolumeClaim.readOnly === true };
    }
    const kind = Object.keys(vol).find((k) => k !== 'name') ?? 'unknown';
    throw new Error(`${kind} volumes are not supported by nanokube yet`);
  }
}

/** Same paths, bytes and modes. */
function samePayload(a: Payload | undefined, b: Payload): boolean {
  if (!a || a.size !== b.size) return false;
  for (const [p, f] of b) {
    const g = a.get(p);
    if (!g || g.mode !== f.mode || !g.data.equals(f.data)) return false;
  }
  return true;
}
