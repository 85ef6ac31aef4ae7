// The status a kubelet reports for a pod whose containers all started (phase Running, every container running and
// ready), and for one whose containers all exited 0 (phase Succeeded), shaped as upstream's kubelet writes it:
// the five pod conditions in the kubelet's order, one containerStatus per container with a runtime-style
// containerID/imageID, init containers shown as Completed. Pure: times come in as arguments and are kept from the
// current status wherever the state did not change, so writing the same state twice changes nothing.
import type { ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { formatTime } from './node-template.js';

/** Pods with restartPolicy Never/OnFailure carrying this annotation (e.g. "5s") exit 0 that long after starting. */
export const EXIT_AFTER_ANNOTATION = 'nanokube.io/simulated-exit-after';
/** With EXIT_AFTER_ANNOTATION and restartPolicy Never: the containers' exit code instead of 0 (non-zero: phase Failed). */
export const EXIT_CODE_ANNOTATION = 'nanokube.io/simulated-exit-code';

/** The exit code a simulated pod's containers end with (EXIT_CODE_ANNOTATION; 0 unless restartPolicy Never). */
export function simulatedExitCode(pod: Pod): number {
  const v = Number(pod.metadata?.annotations?.[EXIT_CODE_ANNOTATION] ?? 0);
  return pod.spec?.restartPolicy === 'Never' && Number.isInteger(v) && v > 0 && v < 256 ? v : 0;
}

export interface RunningStatusInput {
  hostIP: string;
  podIP: string;
  nowMs: number;
}

/** How an image reference reads in containerStatuses (docker.io/library/nginx:latest for "nginx"). */
export function normalizeImage(image: string): string {
  let ref = image.trim();
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasDomain) ref = slash < 0 ? `docker.io/library/${ref}` : `docker.io/${ref}`;
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1);
  if (!ref.includes('@') && !lastPart.includes(':')) ref += ':latest';
  return ref;
}

/** "500ms", "5s", "2m", "1h", "1m30s", or a bare number of seconds; undefined when unparsable. */
export function parseDurationMs(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = t;
  const re = /^(\d+(?:\.\d+)?)(ms|s|m|h)/;
  if (!rest) return undefined;
  while (rest) {
    const m = re.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * unit[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}

function condition(type: string, status: 'True' | 'False', now: string, previous: readonly PodCondition[], reason?: string, message?: string): PodCondition {
  const old = previous.find((c) => c.type === type);
  const c: PodCondition = { type, status, lastProbeTime: null as unknown as string, lastTransitionTime: old?.status === status && old.lastTransitionTime ? old.lastTransitionTime : now };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

/** Conditions owned by someone else (readiness gates, DisruptionTarget, ...) are carried over untouched. */
const KUBELET_CONDITIONS = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);

/** Upstream's message when a readiness gate holds the pod back; undefined when every gate is True. */
export function readinessGateMessage(pod: Pod): string | undefined {
  for (const gate of pod.spec?.readinessGates ?? []) {
    const c = (pod.status?.conditions ?? []).find((x) => x.type === gate.conditionType);
    if (!c) return `corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`;
    if (c.status !== 'True') return `the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`;
  }
  return undefined;
}

const containerID = (pod: Pod, name: string) => `simulated://${pod.metadata?.uid ?? ''}-${name}`;
const imageID = (image: string) => `simulated://${normalizeImage(image)}`;

export function runningPodStatus(pod: Pod, input: RunningStatusInput): PodStatus {
  const cur = pod.status ?? {};
  const prev = cur.conditions ?? [];
  const now = formatTime(input.nowMs);
  const startTime = cur.startTime ?? now;
  const gateMessage = readinessGateMessage(pod);
  const previousRunning = new Map((cur.containerStatuses ?? []).map((s) => [s.name, s.state?.running?.startedAt]));
  const previousInit = new Map((cur.initContainerStatuses ?? []).map((s) => [s.name, s.state?.terminated]));
  const initContainerStatuses: ContainerStatus[] = (pod.spec?.initContainers ?? []).map((c) => {
    const done = previousInit.get(c.name);
    return {
      name: c.name, image: normalizeImage(c.image ?? ''), imageID: imageID(c.image ?? ''), containerID: containerID(pod, c.name),
      ready: true, started: false, restartCount: 0, lastState: {},
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: done?.startedAt ?? startTime, finishedAt: done?.finishedAt ?? startTime, containerID: containerID(pod, c.name) } },
    };
  });
  const containerStatuses: ContainerStatus[] = (pod.spec?.containers ?? []).map((c) => ({
    name: c.name, image: normalizeImage(c.image ?? ''), imageID: imageID(c.image ?? ''), containerID: containerID(pod, c.name),
    ready: true, started: true, restartCount: 0, lastState: {},
    state: { running: { startedAt: previousRunning.get(c.name) ?? now } },
  }));
  const conditions = [
    condition('PodReadyToStartContainers', 'True', now, prev),
    condition('Initialized', 'True', now, prev),
    gateMessage ? condition('Ready', 'False', now, prev, 'ReadinessGatesNotReady', gateMessage) : condition('Ready', 'True', now, prev),
    condition('ContainersReady', 'True', now, prev),
    condition('PodScheduled', 'True', now, prev),
    ...prev.filter((c) => !KUBELET_CONDITIONS.has(c.type)),
  ];
  const status: PodStatus = {
    phase: 'Running', conditions,
    hostIP: input.hostIP, hostIPs: [{ ip: input.hostIP }],
    podIP: input.podIP, podIPs: [{ ip: input.podIP }],
    startTime, containerStatuses,
    ...(initContainerStatuses.length ? { initContainerStatuses } : {}),
    ...(cur.qosClass ? { qosClass: cur.qosClass } : { qosClass: qosClassOf(pod) }),
  };
  return status;
}

/**
 * Every container exited 0 (reason Completed): phase Succeeded, Ready/ContainersReady False with reason PodCompleted.
 * With a non-zero exitCode (reason Error): phase Failed, as the kubelet reports a restartPolicy Never pod that failed.
 */
export function succeededPodStatus(pod: Pod, nowMs: number, exitCode = 0): PodStatus {
  const cur = pod.status ?? {};
  const prev = cur.conditions ?? [];
  const now = formatTime(nowMs);
  const containerStatuses: ContainerStatus[] = (cur.containerStatuses ?? []).map((s) => ({
    ...s, ready: false, started: false,
    state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: s.state?.running?.startedAt ?? cur.startTime ?? now, finishedAt: now, containerID: s.containerID } },
  }));
  // A Failed pod's containers are simply not ready (GenerateContainersReadyCondition); only Succeeded says PodCompleted.
  const reason = exitCode === 0 ? 'PodCompleted' : 'ContainersNotReady';
  const message = exitCode === 0 ? undefined : `containers with unready status: [${(pod.spec?.containers ?? []).map((c) => c.name).join(' ')}]`;
  return {
    ...cur, phase: exitCode === 0 ? 'Succeeded' : 'Failed', containerStatuses,
    conditions: [
      condition('PodReadyToStartContainers', 'False', now, prev),
      condition('Initialized', 'True', now, prev, 'PodCompleted'),
      condition('Ready', 'False', now, prev, reason, message),
      condition('ContainersReady', 'False', now, prev, reason, message),
      condition('PodScheduled', 'True', now, prev),
      ...prev.filter((c) => !KUBELET_CONDITIONS.has(c.type)),
    ],
  };
}

/** When the pod's containers exit by EXIT_AFTER_ANNOTATION (ms since the epoch); undefined when they run forever. */
export function exitAtMs(pod: Pod): number | undefined {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Always' || pod.status?.phase !== 'Running') return undefined;
  const after = parseDurationMs(pod.metadata?.annotations?.[EXIT_AFTER_ANNOTATION]);
  if (after === undefined) return undefined;
  const started = Math.max(...(pod.status.containerStatuses ?? []).map((s) => Date.parse(s.state?.running?.startedAt ?? '') || 0),
    Date.parse(pod.status.startTime ?? '') || 0);
  return started + after;
}

/**
 * Whether the current status already says what `desired` says (phase, IPs, condition statuses, container
 * states). Times are not compared, so a pod left Running by an earlier process is left alone.
 */
export function statusMatches(current: PodStatus | undefined, desired: PodStatus): boolean {
  if (!current) return false;
  if (current.phase !== desired.phase || current.podIP !== desired.podIP || current.hostIP !== desired.hostIP) return false;
  const conds = (s: PodStatus) => (s.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason ?? ''}`).sort().join(',');
  if (conds(current) !== conds(desired)) return false;
  const containers = (l: ContainerStatus[] | undefined) =>
    (l ?? []).map((c) => `${c.name}:${c.ready}:${c.started}:${Object.keys(c.state ?? {}).join('')}:${c.image}`).sort().join(',');
  return containers(current.containerStatuses) === containers(desired.containerStatuses)
    && containers(current.initContainerStatuses) === containers(desired.initContainerStatuses);
}

/** v1.PodQOSClass as the apiserver computes it (used only when the status lacks it). */
export function qosClassOf(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = all.length > 0;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      const l = lim[r];
      const q = req[r] ?? l;
      if (l === undefined || String(q) !== String(l)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
