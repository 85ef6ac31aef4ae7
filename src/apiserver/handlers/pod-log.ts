// GET pods/{name}/log: proxied to the kubelet of the pod's node (GET /containerLogs/{ns}/{pod}/{container}),
// streamed as it arrives (a followed log stays open until the client goes away or the container exits).
// Query parameters as kubectl sends them: container, follow, previous, tailLines, sinceSeconds, sinceTime,
// timestamps, limitBytes, insecureSkipTLSVerifyBackend. As upstream, a pod not yet scheduled has an empty log.
import type { ApiResponse } from '../../api/transport.js';
import { FieldError, invalid, methodNotSupported } from '../../api/errors.js';
import { isTrue } from '../request-info.js';
import type { HandlerContext } from './context.js';
import { kubeletLocation, kubeletRequest, type KubeletClientConfig } from './kubelet-connection.js';
import { podContainer, podNodeName } from './pod-container.js';

const forwarded = ['follow', 'previous', 'tailLines', 'sinceSeconds', 'sinceTime', 'timestamps', 'limitBytes'];

/** PodLogOptions validation (upstream's ValidatePodLogOptions). */
function validate(q: URLSearchParams, name: string): void {
  const errs: FieldError[] = [];
  const int = (k: string, min: number) => {
    const v = q.get(k);
    if (v === null) return;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) errs.push(FieldError.invalid(k, Number.isNaN(n) ? v : n, `must be greater than or equal to ${min}`));
  };
  int('tailLines', 0); int('limitBytes', 1); int('sinceSeconds', 1);
  if (q.get('sinceSeconds') !== null && q.get('sinceTime') !== null) errs.push(FieldError.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  if (errs.length) throw invalid('PodLogOptions', undefined, name, errs);
}

export async function handlePodLog(ctx: HandlerContext, kubelet: KubeletClientConfig): Promise<ApiResponse> {
  if (ctx.info.verb !== 'get') throw methodNotSupported(ctx.store.ref, ctx.info.verb);
  const ns = ctx.info.namespace!, name = ctx.info.name!;
  const q = ctx.req.query;
  const pod = await ctx.store.get(ns, name);
  const container = podContainer(pod, q.get('container'));
  validate(q, name);
  const nodeName = podNodeName(pod);
  const text = { 'content-type': 'text/plain' };
  if (!nodeName) return { status: 200, headers: text, body: '' };
  const loc = await kubeletLocation(ctx.registry, nodeName);
  if (ctx.server.flow?.active) ctx.server.flow.proxied(ctx.req.user?.username, 'get', ctx.info, nodeName);
  const params = new URLSearchParams();
  for (const k of forwarded) {
    const v = q.get(k);
    if (v === null) continue;
    if (k === 'follow' || k === 'previous' || k === 'timestamps') { if (isTrue(v)) params.set(k, 'true'); }
    else params.set(k, v);
  }
  const qs = params.toString();
  const path = `/containerLogs/${encodeURIComponent(ns)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}${qs ? `?${qs}` : ''}`;
  const res = await kubeletRequest(kubelet, loc, { method: 'GET', path, signal: ctx.req.signal, insecureSkipVerify: isTrue(q.get('insecureSkipTLSVerifyBackend')) });
  const signal = ctx.req.signal;
  signal?.addEventListener('abort', () => res.destroy(), { once: true });
  return { status: 200, headers: text, stream: untilAborted(res, signal) };
}

/** The kubelet's body; a client going away (which destroys it) ends the stream quietly. */
async function* untilAborted(res: AsyncIterable<Buffer>, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  try { for await (const chunk of res) yield chunk; } catch (e) { if (!signal?.aborted) throw e; }
}
