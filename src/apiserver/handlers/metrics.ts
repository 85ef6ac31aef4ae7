// GET and LIST of metrics.k8s.io/v1beta1 nodes and pods, answered from the metrics server's latest samples
// (api/metrics.ts) as metrics-server answers them: label and field (metadata.name) selectors, no watch, no
// resourceVersion. Without a metrics server the group is unavailable, as when upstream's APIService is down:
// a 503 that kubectl top reports as "Metrics API not available".
import type { ApiResponse } from '../../api/transport.js';
import { notFound, serviceUnavailable } from '../../api/errors.js';
import { parseFieldSelector, parseLabelSelector } from '../../api/labels.js';
import type { KubeObject } from '../../api/object.js';
import { includeObject, jsonResponse, type HandlerContext } from './context.js';
import { toTable } from '../table.js';

export function handleMetrics(ctx: HandlerContext): ApiResponse {
  const def = ctx.store.def;
  const source = ctx.server.metrics?.();
  const verb = ctx.info.verb === 'get' ? 'get' : 'list';
  if (!source) throw serviceUnavailable(`the server is currently unable to handle the request (${verb} ${def.resource}.${def.group})`);
  const all: KubeObject[] = def.metrics === 'nodes' ? source.nodeMetrics() : source.podMetrics(ctx.info.namespace);
  const apiVersion = `${def.group}/${def.version}`;
  const withKind = (o: KubeObject) => ({ kind: def.kind, apiVersion, ...o });
  if (ctx.info.verb === 'get') {
    const found = all.find((o) => o.metadata?.name === ctx.info.name);
    // metrics-server's wording: `podmetrics.metrics.k8s.io "default/web" not found`.
    if (!found) throw notFound({ group: def.group, resource: def.metrics === 'nodes' ? 'nodemetrics' : 'podmetrics' }, def.namespaced ? `${ctx.info.namespace}/${ctx.info.name}` : ctx.info.name!);
    return jsonResponse(200, withKind(found));
  }
  const labels = parseLabelSelector(ctx.req.query.get('labelSelector'));
  const fields = parseFieldSelector(ctx.req.query.get('fieldSelector'));
  const items = all.filter((o) => labels.matches(o.metadata?.labels) && fields.every((f) => {
    const v = f.field === 'metadata.name' ? o.metadata?.name : f.field === 'metadata.namespace' ? o.metadata?.namespace : undefined;
    return f.op === '=' ? v === f.value : v !== f.value;
  })).sort((a, b) => `${a.metadata?.namespace ?? ''}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace ?? ''}/${b.metadata?.name}`));
  if (ctx.accept === 'table') {
    return jsonResponse(200, toTable(def, items.map(withKind), {}, ctx.registry.clock(), true, includeObject(ctx)), { 'content-type': 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  }
  return jsonResponse(200, { kind: `${def.kind}List`, apiVersion, metadata: {}, items });
}
