// The Pod Table (upstream printPod): READY, STATUS (the kubectl "reason" logic), RESTARTS, and the wide columns.
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import type { KubeObject } from '../../../../api/object.js';
import type { TableColumn } from '../../types.js';

export const podColumns: TableColumn[] = [
  nameColumn(),
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'string', 'The aggregate status of the containers in this pod.'),
  column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
  ageColumn(),
  column('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', { priority: 1 }),
  column('Node', 'string', 'NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.', { priority: 1 }),
  column('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.', { priority: 1 }),
  column('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates', { priority: 1 }),
];

const NODE_UNREACHABLE_POD_REASON = 'NodeLost';
const isRestartableInit = (c: any) => c?.restartPolicy === 'Always';
const later = (a: string, b: string | undefined) => (b && (!a || Date.parse(b) > Date.parse(a)) ? b : a);

/** The cells upstream's printPod produces with Wide=true. */
export function podRow(pod: KubeObject, now: Date): unknown[] {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = (spec.containers ?? []).length;
  let readyContainers = 0;
  let lastRestartDate = '';
  let lastRestartableInitRestartDate = '';
  const phase: string = status.phase ?? '';
  let reason: string = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c?.type === 'PodScheduled' && c?.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }
  const initContainers = new Map<string, any>();
  for (const c of spec.initContainers ?? []) {
    initContainers.set(c?.name, c);
    if (isRestartableInit(c)) totalContainers++;
  }
  let initializing = false;
  const initStatuses: any[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i] ?? {};
    restarts += cs.restartCount ?? 0;
    const finished = cs.lastState?.terminated?.finishedAt;
    lastRestartDate = later(lastRestartDate, finished);
    const restartable = isRestartableInit(initContainers.get(cs.name));
    if (restartable) {
      restartableInitRestarts += cs.restartCount ?? 0;
      lastRestartableInitRestartDate = later(lastRestartableInitRestartDate, finished);
    }
    const term = cs.state?.terminated;
    const wait = cs.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (restartable && cs.started === true) { if (cs.ready) readyContainers++; continue; }
    if (term) {
      if (!term.reason) reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode ?? 0}`;
      else reason = 'Init:' + term.reason;
    } else if (wait && wait.reason && wait.reason !== 'PodInitializing') {
      reason = 'Init:' + wait.reason;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }
  const initializedTrue = (status.conditions ?? []).some((c: any) => c?.type === 'Initialized' && c?.status === 'True');
  if (!initializing || initializedTrue) {
    restarts = restartableInitRestarts;
    lastRestartDate = lastRestartableInitRestartDate;
    let hasRunning = false;
    const statuses: any[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i] ?? {};
      restarts += cs.restartCount ?? 0;
      lastRestartDate = later(lastRestartDate, cs.lastState?.terminated?.finishedAt);
      const wait = cs.state?.waiting;
      const term = cs.state?.terminated;
      if (wait && wait.reason) reason = wait.reason;
      else if (term && term.reason) reason = term.reason;
      else if (term && !term.reason) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode ?? 0}`;
      else if (cs.ready && cs.state?.running) { hasRunning = true; readyContainers++; }
    }
    // Back to "Running" when at least one container still runs.
    if (reason === 'Completed' && hasRunning) {
      const podReady = (status.conditions ?? []).some((c: any) => c?.type === 'Ready' && c?.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  if (pod.metadata.deletionTimestamp && status.reason === NODE_UNREACHABLE_POD_REASON) reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && !terminal) reason = 'Terminating';

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestartDate) restartsStr = `${restarts} (${translateTimestampSince(lastRestartDate, now)} ago)`;

  // Upstream reads podIPs[0]; podIP is the same address when a writer filled only the singular field.
  const podIP = (status.podIPs ?? [])[0]?.ip || status.podIP || '<none>';
  const nodeName = spec.nodeName || '<none>';
  const nominated = status.nominatedNodeName || '<none>';
  let readinessGates = '<none>';
  const gates: any[] = spec.readinessGates ?? [];
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const g of gates) {
      const cond = (status.conditions ?? []).find((c: any) => c?.type === g?.conditionType);
      if (cond?.status === 'True') trueConditions++;
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }
  return [pod.metadata.name, `${readyContainers}/${totalContainers}`, reason, restartsStr,
    translateTimestampSince(pod.metadata.creationTimestamp, now), podIP, nodeName, nominated, readinessGates];
}
