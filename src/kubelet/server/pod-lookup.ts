// Finding a pod's sandbox and containers through the runtime, by the labels the kubelet puts on them
// (io.kubernetes.pod.{name,namespace,uid}, io.kubernetes.container.name), as upstream's kubelet finds them in
// the runtime's pod cache: the server holds no state of its own, so it answers for whatever the runtime runs.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ContainerStatus, PodSandboxStatus, RuntimeService } from '../runtime/runtime.js';

export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';

/** The pod's sandboxes, newest first (a ready one before any not-ready one). */
export async function podSandboxes(runtime: RuntimeService, namespace: string, name: string, uid?: string): Promise<PodSandboxStatus[]> {
  const labelSelector: Record<string, string> = { [POD_NAMESPACE_LABEL]: namespace, [POD_NAME_LABEL]: name };
  if (uid) labelSelector[POD_UID_LABEL] = uid;
  const all = await runtime.listPodSandbox({ labelSelector });
  // Runtimes may ignore the selector: filter again.
  const mine = all.filter((s) => Object.entries(labelSelector).every(([k, v]) => (s.labels?.[k] ?? metaLabel(s, k)) === v));
  return mine.sort((a, b) => (a.state === b.state ? b.createdAt - a.createdAt : a.state === 'SANDBOX_READY' ? -1 : 1));
}

function metaLabel(s: PodSandboxStatus, k: string): string | undefined {
  if (k === POD_NAME_LABEL) return s.metadata.name;
  if (k === POD_NAMESPACE_LABEL) return s.metadata.namespace;
  if (k === POD_UID_LABEL) return s.metadata.uid;
  return undefined;
}

/** Every instance of the named container across the pod's sandboxes, newest attempt first. */
export async function containerInstances(runtime: RuntimeService, sandboxes: PodSandboxStatus[], containerName: string): Promise<ContainerStatus[]> {
  const out: ContainerStatus[] = [];
  for (const s of sandboxes) {
    for (const c of await runtime.listContainers({ podSandboxId: s.id })) {
      if ((c.labels?.[CONTAINER_NAME_LABEL] ?? c.metadata.name) === containerName) out.push(c);
    }
  }
  return out.sort((a, b) => b.metadata.attempt - a.metadata.attempt || b.createdAt - a.createdAt);
}

/**
 * The log file of the attempt before `current` (what `kubectl logs --previous` reads): the previous container
 * instance's logPath if the runtime still has it, else the highest-numbered `<attempt>.log` below the current one
 * in the same folder (the kubelet may have removed the dead container, but its log stays until the pod goes).
 */
export function previousLogPath(instances: ContainerStatus[]): string | undefined {
  const current = instances[0];
  if (!current) return undefined;
  const prev = instances.find((c) => c.metadata.attempt < current.metadata.attempt && c.logPath);
  if (prev) return prev.logPath;
  if (!current.logPath) return undefined;
  const dir = dirname(current.logPath);
  let best = -1;
  try {
    for (const f of readdirSync(dir)) {
      const m = /^(\d+)\.log$/.exec(f);
      if (m && Number(m[1]) < current.metadata.attempt && Number(m[1]) > best) best = Number(m[1]);
    }
  } catch { /* no folder */ }
  return best >= 0 ? join(dir, `${best}.log`) : undefined;
}
