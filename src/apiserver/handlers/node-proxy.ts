// nodes/{name}/proxy/{path}: any request passed to the node's kubelet at /{path} (e.g. `kubectl get --raw
// /api/v1/nodes/nanokube/proxy/pods`), the kubelet's answer streamed back with its status and content type.
import type { ApiResponse } from '../../api/transport.js';
import type { HandlerContext } from './context.js';
import { kubeletLocation, kubeletRequest, type KubeletClientConfig } from './kubelet-connection.js';

const passedRequestHeaders = ['accept', 'content-type', 'user-agent'];
const passedResponseHeaders = ['content-type', 'cache-control', 'content-encoding'];

export async function handleNodeProxy(ctx: HandlerContext, kubelet: KubeletClientConfig): Promise<ApiResponse> {
  const name = ctx.info.name!;
  await ctx.store.get(undefined, name);
  const marker = `/nodes/${encodeURIComponent(name)}/proxy`;
  const at = ctx.req.path.indexOf(marker);
  const rest = at >= 0 ? ctx.req.path.slice(at + marker.length) : '';
  const qs = ctx.req.query.toString();
  const path = `${rest.startsWith('/') ? rest : `/${rest}`}${qs ? `?${qs}` : ''}`;
  const loc = await kubeletLocation(ctx.registry, name);
  if (ctx.server.flow?.active) ctx.server.flow.proxied(ctx.req.user?.username, ctx.info.verb, ctx.info, name);
  const headers: Record<string, string> = {};
  for (const h of passedRequestHeaders) { const v = ctx.req.headers[h]; if (v) headers[h] = v; }
  if (ctx.req.body) headers['content-length'] = String(ctx.req.body.length);
  const res = await kubeletRequest(kubelet, loc, { method: ctx.req.method, path, headers, body: ctx.req.body, signal: ctx.req.signal, acceptAnyStatus: true });
  const out: Record<string, string> = {};
  for (const h of passedResponseHeaders) { const v = res.headers[h]; if (typeof v === 'string') out[h] = v; }
  ctx.req.signal?.addEventListener('abort', () => res.destroy(), { once: true });
  return { status: res.statusCode ?? 502, headers: out, stream: quiet(res, ctx.req.signal) };
}

async function* quiet(res: AsyncIterable<Buffer>, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  try { for await (const chunk of res) yield chunk; } catch (e) { if (!signal?.aborted) throw e; }
}
