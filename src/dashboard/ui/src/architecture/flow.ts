// The API server's flow feed (GET /debug/flow, src/apiserver/flow) in the browser: Server-Sent Events read through
// the dashboard's /k8s proxy as the logged-in user, so only users RBAC lets `get` /debug/flow see it. A dropped
// connection is opened again after a pause; the caller learns of each state change.
import { apiStream, ApiError } from '../api';

export interface Participant { kind: string; node?: string; controller?: string }

export interface FlowEvent {
  seq: number; time: number;
  kind: 'request' | 'write' | 'watch' | 'proxy';
  from: Participant; to: Participant;
  user?: string; verb?: string; group?: string; resource: string; subresource?: string;
  namespace?: string; name?: string; code?: number; type?: string; revision?: number;
  /** A pod's node, on watch events of pods. */
  podNode?: string;
}

export interface FlowDropped { kind: string; from: string; to: string; verb?: string; resource: string; count: number }
export interface FlowBatch { events: FlowEvent[]; dropped: FlowDropped[] }

export type FlowState = { state: 'connecting' } | { state: 'open' } | { state: 'error'; message: string; forbidden: boolean };

/** Reads the feed until `signal` aborts; `onBatch` gets each batch as it arrives. */
export async function followFlow(signal: AbortSignal, onBatch: (b: FlowBatch) => void, onState: (s: FlowState) => void): Promise<void> {
  while (!signal.aborted) {
    onState({ state: 'connecting' });
    try {
      const res = await apiStream('/debug/flow', signal, 'text/event-stream');
      onState({ state: 'open' });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const message = buf.slice(0, i);
          buf = buf.slice(i + 2);
          for (const line of message.split('\n')) {
            if (line.startsWith('data: ')) {
              try { onBatch(JSON.parse(line.slice(6)) as FlowBatch); } catch { /* a malformed message is skipped */ }
            }
          }
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      const forbidden = e instanceof ApiError && (e.code === 403 || e.code === 401);
      onState({ state: 'error', message: (e as Error).message, forbidden });
      if (forbidden) return;
    }
    if (signal.aborted) return;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** Short text for one participant: "kubelet (node-a)", "controller-manager (replicaset-controller)". */
export function participantLabel(p: Participant): string {
  if (p.node) return `kubelet ${p.node}`;
  if (p.controller) return p.controller;
  return p.kind;
}

/** "patch deployments/scale default/flask-app" */
export function describeEvent(e: FlowEvent): string {
  const res = e.subresource ? `${e.resource}/${e.subresource}` : e.resource;
  const obj = e.name ? ` ${e.namespace ? `${e.namespace}/` : ''}${e.name}` : '';
  const what = e.kind === 'watch' ? `${e.type ?? 'event'} ${res}` : `${e.verb ?? ''} ${res}`;
  return `${what}${obj}`;
}
