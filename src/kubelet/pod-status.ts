// The API status of a pod computed from what the runtime reports (upstream's kubelet generateAPIPodStatus,
// convertToAPIContainerStatuses and getPhase): phase, the five kubelet conditions in upstream's order,
// containerStatuses/initContainerStatuses (containerID "<runtime>://<id>", imageID, started, ready, restartCount,
// state and lastState), podIP(s), hostIP(s), startTime and qosClass. Pure: everything comes in as arguments, and
// times already in the status are kept where the state did not change, so computing twice writes nothing new.
import type { Container, ContainerState, ContainerStatus as ApiContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { formatTime } from './nodestatus/conditions.js';
import type { ContainerStatus, PodSandboxStatus } from './runtime/runtime.js';
import { normalizeImage, qosClassOf, readinessGateMessage } from './simulated/pod-status.js';

/** Why a container that is not running is waiting (ContainerCreating, CrashLoopBackOff, ErrImagePull, ...). */
export interface Waiting { reason: string; message?: string }

export interface PodStatusInput {
  pod: Pod;
  /** The pod's newest sandbox, if any. */
  sandbox?: PodSandboxStatus;
  /** Every container of the pod the runtime still has (several instances per name: the newest is current). */
  containers: ContainerStatus[];
  /** Waiting reasons the kubelet decided on, by container name. */
  waiting: Map<string, Waiting>;
  /** Readiness by container name (prober); a running container without a readiness probe is ready. */
  ready(container: Container, running: boolean): boolean;
  /** Whether a running container's startup probe has passed (true without one). */
  started(container: Container): boolean;
  runtimeName: string;
  hostIPs: string[];
  nowMs: number;
  /** The pod is being torn down for good (deleted or terminal): nothing will be restarted. */
  terminating?: boolean;
}

const ns = (t: number) => formatTime(Math.floor(t / 1e6));

/** Instances of one container, newest (highest attempt, then latest creation) first. */
export function instancesOf(containers: ContainerStatus[], name: string): ContainerStatus[] {
  return containers.filter((c) => c.metadata.name === name)
    .sort((a, b) => (b.metadata.attempt - a.metadata.attempt) || (b.createdAt - a.createdAt));
}

function terminatedState(c: ContainerStatus, runtimeName: string): ContainerState {
  const reason = c.reason || (c.exitCode === 0 ? 'Completed' : 'Error');
  return {
    terminated: {
      exitCode: c.exitCode, reason, ...(c.message ? { message: c.message } : {}),
      startedAt: c.startedAt ? ns(c.startedAt) : undefined as unknown as string,
      finishedAt: c.finishedAt ? ns(c.finishedAt) : undefined as unknown as string,
      containerID: `${runtimeName}://${c.id}`,
    },
  };
}

function containerStatus(input: PodStatusInput, spec: Container, previous: ApiContainerStatus | undefined): ApiContainerStatus {
  const [cur, prev] = instancesOf(input.containers, spec.name);
  const waiting = input.waiting.get(spec.name);
  const s: ApiContainerStatus = {
    name: spec.name, image: normalizeImage(spec.image ?? ''), imageID: '', ready: false, started: false,
    restartCount: cur ? cur.metadata.attempt : previous?.restartCount ?? 0,
    state: {}, lastState: {},
  };
  if (cur) {
    s.containerID = `${input.runtimeName}://${cur.id}`;
    s.imageID = cur.imageRef ?? '';
    if (cur.image?.image) s.image = normalizeImage(spec.image ?? cur.image.image);
  }
  if (prev && prev.state === 'CONTAINER_EXITED') s.lastState = terminatedState(prev, input.runtimeName);
  else if (previous?.lastState?.terminated) s.lastState = previous.lastState;

  if (cur?.state === 'CONTAINER_RUNNING') {
    s.state = { running: { startedAt: ns(cur.startedAt) } };
    s.started = input.started(spec);
    s.ready = s.started && input.ready(spec, true);
  } else if (cur?.state === 'CONTAINER_EXITED' && waiting && !input.terminating) {
    // Exited and about to be restarted (or backing off): waiting, with the exit shown as lastState.
    s.state = { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } };
    s.lastState = terminatedState(cur, input.runtimeName);
  } else if (cur?.state === 'CONTAINER_EXITED') {
    s.state = terminatedState(cur, input.runtimeName);
  } else {
    const w = waiting ?? { reason: 'ContainerCreating' };
    s.state = { waiting: { reason: w.reason, ...(w.message ? { message: w.message } : {}) } };
  }
  return s;
}

function condition(type: string, status: boolean, now: string, previous: readonly PodCondition[], reason?: string, message?: string): PodCondition {
  const st = status ? 'True' : 'False';
  const old = previous.find((c) => c.type === type);
  const c: PodCondition = { type, status: st, lastProbeTime: null as unknown as string, lastTransitionTime: old?.status === st && old.lastTransitionTime ? old.lastTransitionTime : now };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

const KUBELET_CONDITIONS = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);

/** Upstream's getPhase over the app containers' statuses. */
export function podPhase(pod: Pod, initStatuses: ApiContainerStatus[], statuses: ApiContainerStatus[], initFailed: boolean): PodStatus['phase'] {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const initPending = initStatuses.some((s) => !(s.state?.terminated && s.state.terminated.exitCode === 0));
  if (initFailed && policy === 'Never') return 'Failed';
  if (initPending) return 'Pending';
  let waiting = 0; let running = 0; let stopped = 0; let succeeded = 0;
  for (const s of statuses) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) { stopped++; if (s.state.terminated.exitCode === 0) succeeded++; }
    else if (s.state?.waiting) { if (s.lastState?.terminated) stopped++; else waiting++; }
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

export function generatePodStatus(input: PodStatusInput): PodStatus {
  const { pod } = input;
  const cur = pod.status ?? {};
  const prevConds = cur.conditions ?? [];
  const now = formatTime(input.nowMs);
  const prevBy = (l: ApiContainerStatus[] | undefined) => new Map((l ?? []).map((s) => [s.name, s]));
  const prevInit = prevBy(cur.initContainerStatuses);
  const prevApp = prevBy(cur.containerStatuses);
  const initContainerStatuses = (pod.spec?.initContainers ?? []).map((c) => {
    const s = containerStatus(input, c, prevInit.get(c.name));
    // An init container that completed is "ready" in upstream's status.
    if (s.state?.terminated?.exitCode === 0) s.ready = true;
    return s;
  });
  const containerStatuses = (pod.spec?.containers ?? []).map((c) => {
    const s = containerStatus(input, c, prevApp.get(c.name));
    if (!s.containerID && initContainerStatuses.some((i) => !(i.state?.terminated?.exitCode === 0)) && !input.waiting.get(c.name)) {
      s.state = { waiting: { reason: 'PodInitializing' } };
    }
    return s;
  });
  // kubectl debug's containers: reported as upstream's (never ready, not counted in the phase or conditions).
  const prevEphemeral = prevBy(cur.ephemeralContainerStatuses);
  const ephemeralContainerStatuses = (pod.spec?.ephemeralContainers ?? []).map((c): ApiContainerStatus => {
    const prev = prevEphemeral.get(c.name);
    if (prev?.containerID && !input.containers.some((x) => x.metadata.name === c.name)) {
      // One that ran and that the runtime lost (the node restarted) is not started again: it stays terminated, as
      // upstream reports a container it can no longer find.
      return prev.state?.terminated ? prev : {
        ...prev, ready: false, started: false,
        state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated' } },
      };
    }
    return { ...containerStatus(input, c as Container, prev), ready: false };
  });
  const initFailed = initContainerStatuses.some((s) => (s.state?.terminated && s.state.terminated.exitCode !== 0)
    || (s.state?.waiting && s.lastState?.terminated && s.lastState.terminated.exitCode !== 0));
  const phase = podPhase(pod, initContainerStatuses, containerStatuses, initFailed);
  const terminal = phase === 'Succeeded' || phase === 'Failed';

  const sandboxReady = input.sandbox?.state === 'SANDBOX_READY';
  const initIncomplete = initContainerStatuses.filter((s) => !(s.state?.terminated?.exitCode === 0)).map((s) => s.name);
  const unready = containerStatuses.filter((s) => !s.ready).map((s) => s.name);
  const gate = readinessGateMessage(pod);
  const conditions: PodCondition[] = [];
  conditions.push(condition('PodReadyToStartContainers', sandboxReady && !terminal, now, prevConds));
  conditions.push(initIncomplete.length && !terminal
    ? condition('Initialized', false, now, prevConds, 'ContainersNotInitialized', `containers with incomplete status: [${initIncomplete.join(' ')}]`)
    : condition('Initialized', true, now, prevConds));
  if (terminal) {
    conditions.push(condition('Ready', false, now, prevConds, 'PodCompleted'));
    conditions.push(condition('ContainersReady', false, now, prevConds, 'PodCompleted'));
  } else if (unready.length) {
    const msg = `containers with unready status: [${unready.join(' ')}]`;
    conditions.push(condition('Ready', false, now, prevConds, 'ContainersNotReady', msg));
    conditions.push(condition('ContainersReady', false, now, prevConds, 'ContainersNotReady', msg));
  } else {
    conditions.push(gate ? condition('Ready', false, now, prevConds, 'ReadinessGatesNotReady', gate) : condition('Ready', true, now, prevConds));
    conditions.push(condition('ContainersReady', true, now, prevConds));
  }
  conditions.push(condition('PodScheduled', true, now, prevConds));
  conditions.push(...prevConds.filter((c) => !KUBELET_CONDITIONS.has(c.type)));

  const hostNetwork = !!pod.spec?.hostNetwork;
  // A ready sandbox without an address of its own (the process runtime: plain processes on the node's network) is
  // reached at the node's address, as a hostNetwork pod: its endpoints and the service proxy use it.
  const onNodeNetwork = hostNetwork || (input.sandbox?.state === 'SANDBOX_READY' && !input.sandbox.network.ip);
  const podIPs = onNodeNetwork ? input.hostIPs.slice(0, 1) : input.sandbox?.network.ip ? [input.sandbox.network.ip, ...input.sandbox.network.additionalIps] : [];
  const status: PodStatus = {
    phase, conditions,
    hostIP: input.hostIPs[0], hostIPs: input.hostIPs.map((ip) => ({ ip })),
    ...(podIPs.length ? { podIP: podIPs[0], podIPs: podIPs.map((ip) => ({ ip })) } : cur.podIP ? { podIP: cur.podIP, podIPs: cur.podIPs } : {}),
    startTime: cur.startTime ?? now,
    ...(initContainerStatuses.length ? { initContainerStatuses } : {}),
    containerStatuses,
    ...(ephemeralContainerStatuses.length ? { ephemeralContainerStatuses } : {}),
    qosClass: cur.qosClass ?? qosClassOf(pod),
  };
  return status;
}
