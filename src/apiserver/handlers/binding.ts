// pods/binding: how the scheduler assigns a pod to a node (sets spec.nodeName once, plus PodScheduled=True).
import type { ApiResponse } from '../../api/transport.js';
import { badRequest, conflict } from '../../api/errors.js';
import { decodeBody } from '../negotiation.js';
import { jsonResponse, type HandlerContext } from './context.js';
import { timestamp } from '../registry/object-meta.js';

export async function handleBinding(ctx: HandlerContext): Promise<ApiResponse> {
  const { value } = await decodeBody(ctx.req.body, ctx.req.headers['content-type']);
  const nodeName = value?.target?.name;
  if (!nodeName || typeof nodeName !== 'string') throw badRequest('Binding.target.name (the node) is required');
  if (value?.metadata?.name && value.metadata.name !== ctx.info.name) throw badRequest('the name of the Binding must match the pod name');
  const wctx = ctx.writeContext();
  await ctx.store.guaranteedUpdate(ctx.info.namespace, ctx.info.name!, (pod) => {
    const p = pod!;
    if (p.metadata.deletionTimestamp) throw conflict({ resource: 'pods/binding' }, ctx.info.name!, `pod ${p.metadata.name} is being deleted, cannot be assigned to a host`);
    if (p.spec?.nodeName) throw conflict({ resource: 'pods/binding' }, ctx.info.name!, `pod ${p.metadata.name} is already assigned to node "${p.spec.nodeName}"`);
    p.spec.nodeName = nodeName;
    p.status = p.status ?? {};
    const conds = (p.status.conditions ?? []).filter((c: any) => c.type !== 'PodScheduled');
    conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp(wctx.now) });
    p.status.conditions = conds;
    delete p.metadata.resourceVersion;
    return p;
  }, { ...wctx, subresource: 'binding' });
  return jsonResponse(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
