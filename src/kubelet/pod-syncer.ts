// What one pod worker does for one pod (upstream's kuberuntime manager SyncPod/KillPod with the kubelet's
// syncPod/syncTerminatingPod around it), against the CRI-shaped runtime:
//   - a ready sandbox (made again if it died), volumes set up first;
//   - init containers one at a time, in order, each to exit 0 before the next starts;
//   - ephemeral containers (kubectl debug) first, each started once and never restarted, joining its target
//     container's PID namespace (upstream starts them before the init containers, so a stuck pod can be debugged);
//   - then every app container: started when missing; when exited, restarted as restartPolicy says, with
//     CrashLoopBackOff's back-off (10 s doubling to 5 min, reset after 10 min); restarted when a liveness or
//     startup probe fails; the previous exited instance is kept (kubectl logs --previous), older ones removed;
//   - the pod's status computed from what the runtime reports and handed to the status manager;
//   - for a pod being deleted: preStop hooks, SIGTERM, the grace period, SIGKILL, then the final status and the
//     deletion confirmed; for a pod gone from the API: everything of it removed.
// Events carry upstream's reasons and messages, on the container's fieldPath.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../client/clock.js';
import type { EventType, ObjectReference } from '../client/events.js';
import type { EventSender } from './event-sender.js';
import { errorText, type LogFn } from '../client/log.js';
import { Backoff } from './backoff.js';
import { containerConfig, POD_UID_LABEL, sandboxConfig } from './container-config.js';
import { isContainerConfigFailure, type ContainerConfigResolver, type LifecycleHooks, type ProbeHooks, type VolumeHooks } from './hooks.js';
import { ImagePuller } from './image-puller.js';
import { generatePodStatus, instancesOf, type Waiting } from './pod-status.js';
import type { SyncResult } from './pod-workers.js';
import type { ContainerRuntime, ContainerStatus, DNSConfig, PodSandboxConfig, PodSandboxStatus } from './runtime/runtime.js';
import { podDNSConfig, type ClusterDNSSettings } from './dns-config.js';
import { verifyRunAsNonRoot } from './security-context.js';
import type { StatusManager } from './status/status-manager.js';

export interface PodSyncerOptions {
  runtime: ContainerRuntime;
  /** "runc", "process", ...: the scheme of containerIDs ("<runtime>://<id>"). */
  runtimeName: string;
  nodeName: string;
  recorder: Pick<EventSender, 'event'>;
  statusManager: StatusManager;
  clock: Clock;
  log: LogFn;
  /** <home>/logs/pods */
  logsRoot: string;
  config: ContainerConfigResolver;
  volumes: VolumeHooks;
  probes: ProbeHooks;
  lifecycle: LifecycleHooks;
  hostIPs(): string[];
  /** Cluster DNS settings for pods' resolv.conf (absent: the runtime gives pods the node's resolv.conf). */
  dns?: () => ClusterDNSSettings;
}

interface PodState { sandboxes: PodSandboxStatus[]; containers: ContainerStatus[] }

const fmtDuration = (ms: number) => {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : '0s'}` : `${s}s`;
};

export class PodSyncer {
  private readonly backoff: Backoff;
  private readonly images: ImagePuller;
  private readonly waiting = new Map<string, Map<string, Waiting>>();
  private readonly isolationReported = new Set<string>();
  /** Pods (by uid) whose volumes failed to mount once: their sandbox waits for the volumes from then on. */
  private readonly mountFailed = new Set<string>();

  constructor(private readonly o: PodSyncerOptions) {
    this.backoff = new Backoff(o.clock);
    this.images = new ImagePuller(o.runtime, o.clock);
  }

  private waitingOf(uid: string): Map<string, Waiting> {
    let w = this.waiting.get(uid);
    if (!w) { w = new Map(); this.waiting.set(uid, w); }
    return w;
  }

  private ref(pod: Pod, c?: Container, init = false): ObjectReference {
    const m = pod.metadata!;
    const list = init ? 'initContainers' : pod.spec?.ephemeralContainers?.some((e) => e.name === c?.name) ? 'ephemeralContainers' : 'containers';
    return {
      apiVersion: 'v1', kind: 'Pod', name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion,
      ...(c ? { fieldPath: `spec.${list}{${c.name}}` } : {}),
    };
  }

  /** The pod's DNS settings; warnings (limits cut, no cluster DNS) become events when a sandbox is made. */
  private dnsConfig(pod: Pod, report: boolean): [DNSConfig | undefined, string | undefined] {
    if (!this.o.dns) return [undefined, undefined];
    const settings = this.o.dns();
    const { config, warnings } = podDNSConfig(pod, settings);
    if (report) for (const w of warnings) this.event(pod, undefined, 'Warning', w.reason, w.message);
    return [config, settings.clusterDomain || undefined];
  }

  event(pod: Pod, c: Container | undefined, type: EventType, reason: string, message: string, init = false): void {
    void this.o.recorder.event(this.ref(pod, c, init), type, reason, message);
  }

  async podState(uid: string): Promise<PodState> {
    const sandboxes = (await this.o.runtime.listPodSandbox({ labelSelector: { [POD_UID_LABEL]: uid } }))
      .sort((a, b) => (b.metadata.attempt - a.metadata.attempt) || (b.createdAt - a.createdAt));
    // The pod's containers: those labelled with its uid, and any other in its sandboxes (statuses are made only
    // for these, not for every container on the node at every sync).
    const byId = new Map<string, ContainerStatus>();
    for (const c of await this.o.runtime.listContainers({ labelSelector: { [POD_UID_LABEL]: uid } })) if (c.labels[POD_UID_LABEL] === uid) byId.set(c.id, c);
    for (const s of sandboxes) for (const c of await this.o.runtime.listContainers({ podSandboxId: s.id })) if (c.podSandboxId === s.id) byId.set(c.id, c);
    return { sandboxes, containers: [...byId.values()] };
  }

  /** One sync of a pod the API has and that is not being deleted. */
  async sync(pod: Pod): Promise<SyncResult> {
    const uid = pod.metadata!.uid!;
    const waiting = this.waitingOf(uid);
    const policy = pod.spec?.restartPolicy ?? 'Always';
    let resync: number | undefined;
    const soon = (ms: number) => { resync = resync === undefined ? ms : Math.min(resync, ms); };
    let state = await this.podState(uid);

    // A pod the API already shows as finished is not started again (a restarted node leaves it alone).
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
      for (const s of state.sandboxes) if (s.state === 'SANDBOX_READY') await this.o.runtime.stopPodSandbox(s.id);
      return;
    }

    let sandbox = state.sandboxes.find((s) => s.state === 'SANDBOX_READY');
    let sbConfig: PodSandboxConfig;
    if (!sandbox) {
      for (const s of state.sandboxes) await this.o.runtime.stopPodSandbox(s.id);
      sbConfig = sandboxConfig(pod, state.sandboxes.length, this.o.logsRoot, ...this.dnsConfig(pod, true));
      // Volumes and the sandbox do not depend on each other until a container starts, so a pod's first try does
      // both at once (it starts sooner; upstream mounts first). Once a mount failed, the pod waits for its volumes
      // before any sandbox is made, as upstream's does: no sandbox made and removed at every retry.
      const together = !this.mountFailed.has(uid);
      const sandboxMade = together ? this.o.runtime.runPodSandbox(sbConfig) : undefined;
      sandboxMade?.catch(() => undefined); // handled below, after the volumes
      try {
        await this.o.volumes.setUp(pod);
      } catch (e) {
        this.mountFailed.add(uid);
        const made = await sandboxMade?.catch(() => undefined);
        if (made) await this.o.runtime.removePodSandbox(made);
        this.event(pod, undefined, 'Warning', 'FailedMount', errorText(e));
        this.writeStatus(pod, state, waiting);
        return { resyncAfterMs: 2_000 };
      }
      let id: string;
      try {
        id = await (sandboxMade ?? this.o.runtime.runPodSandbox(sbConfig));
      } catch (e) {
        this.event(pod, undefined, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${errorText(e)}`);
        this.writeStatus(pod, state, waiting);
        return { resyncAfterMs: 5_000 };
      }
      if (state.sandboxes.length > 0) this.event(pod, undefined, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      sandbox = await this.o.runtime.podSandboxStatus(id);
      state = { sandboxes: [sandbox, ...state.sandboxes], containers: state.containers };
      if (sandbox.missingIsolation?.length && !this.isolationReported.has(uid)) {
        this.isolationReported.add(uid);
        this.event(pod, undefined, 'Warning', 'MissingIsolation',
          `pod runs as plain host processes without its own ${sandbox.missingIsolation.join(', ')} (nanokube runs runc sandboxes only as root with runc and the CNI plugins installed)`);
      }
    } else {
      sbConfig = sandboxConfig(pod, sandbox.metadata.attempt, this.o.logsRoot, ...this.dnsConfig(pod, false));
      try {
        // Idempotent: volumes a restarted kubelet has not seen yet are set up again, changed pods update files.
        await this.o.volumes.setUp(pod);
      } catch (e) {
        this.event(pod, undefined, 'Warning', 'FailedMount', errorText(e));
      }
    }
    const sb = sandbox;
    const inSandbox = (name: string) => instancesOf(state.containers.filter((c) => c.podSandboxId === sb.id), name);
    const nextAttempt = (c: Container, init: boolean) => {
      const [latest] = instancesOf(state.containers, c.name);
      if (latest) return latest.metadata.attempt + 1;
      const api = (init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses)?.find((s) => s.name === c.name);
      // The runtime lost it (the node restarted): count on from what the API last showed.
      return api?.containerID ? (api.restartCount ?? 0) + 1 : 0;
    };
    let started = false;

    // --- ephemeral containers: started once (a failed start, e.g. a missing image, is tried again), never restarted
    for (const ec of pod.spec?.ephemeralContainers ?? []) {
      if (instancesOf(state.containers, ec.name).length) continue;
      // It ran here before and the runtime lost it (the node restarted): never started again (pod-status.ts).
      if (pod.status?.ephemeralContainerStatuses?.some((s) => s.name === ec.name && s.containerID)) continue;
      const target = ec.targetContainerName ? inSandbox(ec.targetContainerName).find((x) => x.state === 'CONTAINER_RUNNING')?.id : undefined;
      if (ec.targetContainerName && !target) {
        // Upstream's getTargetID: tried again once the target runs (its start wakes the pod at the next relist).
        const message = `unable to find target container ${ec.targetContainerName}`;
        waiting.set(ec.name, { reason: 'CreateContainerConfigError', message });
        this.event(pod, ec as Container, 'Warning', 'Failed', `Error: ${message}`);
        soon(10_000);
        continue;
      }
      const r = await this.start(pod, ec as Container, 0, sb, sbConfig, waiting, false, target);
      if (!r.ok && r.retryMs !== undefined) soon(r.retryMs);
      started ||= r.ok;
    }

    // --- init containers, one at a time ---------------------------------------------------------------------
    let initDone = true;
    for (const ic of pod.spec?.initContainers ?? []) {
      const [cur] = inSandbox(ic.name);
      if (cur?.state === 'CONTAINER_EXITED' && cur.exitCode === 0) { waiting.delete(ic.name); continue; }
      initDone = false;
      if (cur?.state === 'CONTAINER_RUNNING' || cur?.state === 'CONTAINER_CREATED') break;
      if (cur?.state === 'CONTAINER_EXITED') {
        if (policy === 'Never') break; // the pod fails
        const r = await this.restartWithBackoff(pod, ic, cur, sb, sbConfig, waiting, true);
        if (r.waitMs !== undefined) soon(r.waitMs);
        started ||= r.started;
        break;
      }
      const r = await this.start(pod, ic, nextAttempt(ic, true), sb, sbConfig, waiting, true);
      if (r.retryMs !== undefined) soon(r.retryMs);
      started ||= r.ok;
      break;
    }

    // --- app containers -------------------------------------------------------------------------------------
    if (initDone) {
      const runningNow: { name: string; containerId: string; startedAt: number }[] = [];
      for (const c of pod.spec?.containers ?? []) {
        const [cur] = inSandbox(c.name);
        if (cur?.state === 'CONTAINER_RUNNING') {
          const why = this.o.probes.takeRestart(pod, c, cur.id);
          if (why) {
            this.event(pod, c, 'Normal', 'Killing', why);
            await this.stopContainer(pod, c, cur, pod.spec?.terminationGracePeriodSeconds ?? 30, sb);
            soon(0);
          } else runningNow.push({ name: c.name, containerId: cur.id, startedAt: Math.floor(cur.startedAt / 1e6) });
          continue;
        }
        if (cur?.state === 'CONTAINER_CREATED') {
          try { await this.o.runtime.startContainer(cur.id); this.event(pod, c, 'Normal', 'Started', `Started container ${c.name}`); started = true; }
          catch (e) { this.event(pod, c, 'Warning', 'Failed', `Error: failed to start container "${c.name}": ${errorText(e)}`); }
          continue;
        }
        if (cur?.state === 'CONTAINER_EXITED') {
          const restart = policy === 'Always' || (policy === 'OnFailure' && cur.exitCode !== 0);
          if (!restart) { waiting.delete(c.name); continue; }
          const r = await this.restartWithBackoff(pod, c, cur, sb, sbConfig, waiting, false);
          if (r.waitMs !== undefined) soon(r.waitMs);
          started ||= r.started;
          continue;
        }
        const r = await this.start(pod, c, nextAttempt(c, false), sb, sbConfig, waiting, false);
        if (r.retryMs !== undefined) soon(r.retryMs);
        started ||= r.ok;
      }
      this.o.probes.sync(pod, runningNow, pod.spec?.hostNetwork ? this.o.hostIPs()[0] : sb.network.ip || undefined);
    }

    if (started) state = await this.podState(uid);
    await this.pruneExited(state);
    const status = this.writeStatus(pod, state, waiting);
    if (status.phase === 'Succeeded' || status.phase === 'Failed') {
      // Finished for good: its network goes; its containers stay for their logs until the pod is deleted.
      await this.o.runtime.stopPodSandbox(sb.id);
      this.o.probes.removePod(uid);
      return;
    }
    return resync === undefined ? undefined : { resyncAfterMs: resync };
  }

  private writeStatus(pod: Pod, state: PodState, waiting: Map<string, Waiting>, terminating = false) {
    const status = generatePodStatus({
      pod, sandbox: state.sandboxes[0], containers: state.containers,
      waiting, runtimeName: this.o.runtimeName, hostIPs: this.o.hostIPs(), nowMs: this.o.clock.now(), terminating,
      ready: (c) => this.o.probes.ready(pod, c), started: (c) => this.o.probes.started(pod, c),
    });
    if (terminating) this.o.statusManager.terminated(pod, status);
    else this.o.statusManager.setPodStatus(pod, status);
    return status;
  }

  /** An exited container due for a restart: restarted now, or left waiting in CrashLoopBackOff. */
  private async restartWithBackoff(pod: Pod, c: Container, cur: ContainerStatus, sb: PodSandboxStatus, cfg: PodSandboxConfig, waiting: Map<string, Waiting>, init: boolean): Promise<{ started: boolean; waitMs?: number }> {
    const m = pod.metadata!;
    const key = `${m.uid}/${c.name}`;
    const finished = Math.floor(cur.finishedAt / 1e6) || this.o.clock.now();
    if (this.backoff.isInBackOffSince(key, finished)) {
      const left = this.backoff.remaining(key, finished);
      waiting.set(c.name, { reason: 'CrashLoopBackOff', message: `back-off ${fmtDuration(this.backoff.get(key))} restarting failed container=${c.name} pod=${m.name}_${m.namespace}(${m.uid})` });
      this.event(pod, c, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${m.name}_${m.namespace}(${m.uid})`, init);
      return { started: false, waitMs: left };
    }
    this.backoff.next(key);
    const r = await this.start(pod, c, cur.metadata.attempt + 1, sb, cfg, waiting, init);
    return { started: r.ok, ...(r.retryMs !== undefined ? { waitMs: r.retryMs } : {}) };
  }

  /** Pulls (per policy), resolves env/command, creates and starts one container; failures leave it waiting. */
  private async start(pod: Pod, c: Container, attempt: number, sb: PodSandboxStatus, cfg: PodSandboxConfig, waiting: Map<string, Waiting>, init: boolean, pidTarget?: string): Promise<{ ok: boolean; retryMs?: number }> {
    const pulled = await this.images.ensure(pod.metadata!.uid!, c);
    if (!pulled.ok) {
      waiting.set(c.name, { reason: pulled.reason, message: pulled.message });
      for (const e of pulled.events) this.event(pod, c, e.type, e.reason, e.message, init);
      return { ok: false, retryMs: pulled.retryAfterMs ?? 10_000 };
    }
    this.event(pod, c, 'Normal', pulled.event.reason, pulled.event.message, init);
    const hostIPs = this.o.hostIPs();
    const podIPs = pod.spec?.hostNetwork || !sb.network.ip ? hostIPs.slice(0, 1) : [sb.network.ip, ...sb.network.additionalIps];
    let id: string;
    try {
      const resolved = await this.o.config.resolve(pod, c, { image: pulled.image.config, podIPs, hostIPs });
      verifyRunAsNonRoot(pod, c, pulled.image.config.user);
      const mounts = this.o.volumes.mounts(pod, c, resolved.envs);
      id = await this.o.runtime.createContainer(sb.id, containerConfig(pod, c, attempt, pulled.image.id, resolved, mounts, pidTarget), cfg);
    } catch (e) {
      const reason = isContainerConfigFailure(e) ? e.reason : 'CreateContainerError';
      waiting.set(c.name, { reason, message: errorText(e) });
      this.event(pod, c, 'Warning', 'Failed', `Error: ${errorText(e)}`, init);
      return { ok: false, retryMs: 10_000 };
    }
    this.event(pod, c, 'Normal', 'Created', `Created container ${c.name}`, init);
    try {
      await this.o.runtime.startContainer(id);
    } catch (e) {
      waiting.set(c.name, { reason: 'RunContainerError', message: errorText(e) });
      this.event(pod, c, 'Warning', 'Failed', `Error: failed to start container "${c.name}": ${errorText(e)}`, init);
      return { ok: false, retryMs: 10_000 };
    }
    this.event(pod, c, 'Normal', 'Started', `Started container ${c.name}`, init);
    waiting.delete(c.name);
    const postStart = c.lifecycle?.postStart;
    if (postStart) {
      try {
        await this.o.lifecycle.run(pod, c, id, postStart, podIPs[0], pod.spec?.terminationGracePeriodSeconds ?? 30);
      } catch (e) {
        this.event(pod, c, 'Warning', 'FailedPostStartHook', errorText(e), init);
        this.event(pod, c, 'Normal', 'Killing', `FailedPostStartHook`, init);
        await this.o.runtime.stopContainer(id, 0).catch(() => undefined);
      }
    }
    return { ok: true };
  }

  /** Keeps the newest instance of each container and the one exited before it; removes older ones. */
  private async pruneExited(state: PodState): Promise<void> {
    const byName = new Map<string, ContainerStatus[]>();
    for (const c of state.containers) byName.set(c.metadata.name, [...(byName.get(c.metadata.name) ?? []), c]);
    for (const [name, list] of byName) {
      const sorted = instancesOf(list, name);
      for (const old of sorted.slice(2)) {
        if (old.state !== 'CONTAINER_EXITED') continue;
        await this.o.runtime.removeContainer(old.id).catch(() => undefined);
        state.containers = state.containers.filter((c) => c.id !== old.id);
      }
    }
  }

  /** preStop (if any, within the grace period), then stop with what is left of it. */
  private async stopContainer(pod: Pod, c: Container | undefined, cur: ContainerStatus, graceSeconds: number, sb: PodSandboxStatus | undefined): Promise<void> {
    const t0 = this.o.clock.now();
    const preStop = c?.lifecycle?.preStop;
    if (preStop && graceSeconds > 0) {
      try {
        await this.o.lifecycle.run(pod, c, cur.id, preStop, sb?.network.ip || this.o.hostIPs()[0], graceSeconds);
      } catch (e) {
        this.event(pod, c, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${errorText(e)}`);
      }
    }
    const left = Math.max(graceSeconds > 0 ? 2 : 0, graceSeconds - Math.floor((this.o.clock.now() - t0) / 1000));
    await this.o.runtime.stopContainer(cur.id, left);
  }

  /**
   * Terminates a pod being deleted (or gone from the API when `pod` is only what was last known): every running
   * container stopped in parallel with preStop and the grace period, the sandbox stopped, the final status written
   * and the deletion confirmed.
   */
  async terminate(pod: Pod, gone: boolean, o: { writeStatus?: boolean } = {}): Promise<void> {
    const uid = pod.metadata!.uid!;
    const state = await this.podState(uid);
    const grace = gone ? 0 : (pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30);
    const specs = new Map([...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? []) as Container[]].map((c) => [c.name, c]));
    const running = state.containers.filter((c) => c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_CREATED');
    this.o.probes.removePod(uid);
    await Promise.all(running.map(async (cur) => {
      const spec = specs.get(cur.metadata.name);
      if (!gone && spec) this.event(pod, spec, 'Normal', 'Killing', `Stopping container ${cur.metadata.name}`);
      await this.stopContainer(pod, gone ? undefined : spec, cur, grace, state.sandboxes[0]);
    }));
    for (const s of state.sandboxes) await this.o.runtime.stopPodSandbox(s.id);
    if (!gone && o.writeStatus !== false) {
      const after = await this.podState(uid);
      this.writeStatus(pod, after, new Map(), true);
    }
  }

  /** Removes every record of a pod gone from the API (containers, sandboxes, volumes, kubelet state). */
  async cleanup(uid: string, lastKnown: Pod | undefined): Promise<void> {
    const state = await this.podState(uid);
    for (const c of state.containers) await this.o.runtime.removeContainer(c.id).catch(() => undefined);
    for (const s of state.sandboxes) { await this.o.runtime.stopPodSandbox(s.id).catch(() => undefined); await this.o.runtime.removePodSandbox(s.id); }
    if (lastKnown) await this.o.volumes.tearDown(lastKnown).catch((e) => this.o.log({ level: 'warn', msg: 'volume tear-down failed', uid, error: errorText(e) }));
    this.o.probes.removePod(uid);
    this.waiting.delete(uid);
    this.isolationReported.delete(uid);
    this.mountFailed.delete(uid);
    this.images.forgetPod(uid);
    this.backoff.gc((k) => !k.startsWith(`${uid}/`));
    this.o.statusManager.forget(uid);
  }
}
