// GET and LIST of componentstatuses (core/v1, deprecated), as upstream's componentstatus REST: each component is
// probed at each read (here: asked how it is; they run in this process), and nothing is stored. A component
// answers with the condition Healthy (True with its health text, "ok"; False or Unknown with the error). Label and
// field selectors filter as upstream's predicate does (componentstatuses carry no labels). A name that is no
// component is upstream's plain error, a 500 "Component not found: NAME".
import type { ApiResponse } from '../../api/transport.js';
import { internal } from '../../api/errors.js';
import { parseFieldSelector, parseLabelSelector } from '../../api/labels.js';
import type { KubeObject } from '../../api/object.js';
import { includeObject, jsonResponse, objectResponse, type HandlerContext } from './context.js';
import { toTable } from '../table.js';

/** One component's probe, as upstream's DoServerCheck: healthy or not, its answer, the error when it failed. */
export interface ComponentHealth {
  name: string;
  /** true: probed healthy; false: answered unhealthy; undefined: could not be probed (status Unknown). */
  healthy: boolean | undefined;
  message?: string;
  error?: string;
}

function toComponentStatus(h: ComponentHealth): KubeObject {
  const condition: Record<string, string> = { type: 'Healthy', status: h.healthy === true ? 'True' : h.healthy === false ? 'False' : 'Unknown' };
  if (h.message) condition.message = h.message;
  if (h.error) condition.error = h.error;
  return { kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name: h.name }, conditions: [condition] };
}

export async function handleComponentStatuses(ctx: HandlerContext): Promise<ApiResponse> {
  const all = (await ctx.server.componentStatuses?.() ?? []).map(toComponentStatus);
  if (ctx.info.verb === 'get') {
    const found = all.find((o) => o.metadata.name === ctx.info.name);
    if (!found) throw internal(`Component not found: ${ctx.info.name}`);
    return objectResponse(ctx, 200, found);
  }
  const labels = parseLabelSelector(ctx.req.query.get('labelSelector'));
  const fields = parseFieldSelector(ctx.req.query.get('fieldSelector'));
  const items = all.filter((o) => labels.matches(o.metadata.labels) && fields.every((f) => {
    const v = f.field === 'metadata.name' ? o.metadata.name : f.field === 'metadata.namespace' ? '' : undefined;
    return f.op === '=' ? v === f.value : v !== f.value;
  }));
  if (ctx.accept === 'table') {
    return jsonResponse(200, toTable(ctx.store.def, items, {}, ctx.registry.clock(), true, includeObject(ctx)), { 'content-type': 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  }
  return jsonResponse(200, { kind: 'ComponentStatusList', apiVersion: 'v1', metadata: {}, items });
}
