// What every verb handler receives, and the response helpers they share.
import type { ApiRequest, ApiResponse } from '../../api/transport.js';
import type { Registry } from '../registry/registry.js';
import type { GenericStore, WriteContext } from '../registry/generic-store.js';
import type { ResourceRequestInfo } from '../request-info.js';
import type { Logger } from '../logger.js';
import { acceptAs, type AcceptAs } from '../negotiation.js';
import { noteSerialized, objectText } from '../json-bodies.js';
import type { KubeObject } from '../../api/object.js';
import { toTable, partialObjectMetadata, type IncludeObject } from '../table.js';
import { badRequest } from '../../api/errors.js';
import type { MetricsSource } from '../../api/metrics.js';
import type { Authorization } from '../authorization/filter.js';
import type { FlowTap } from '../flow/tap.js';
import type { ComponentHealth } from './component-statuses.js';

export interface HandlerContext {
  req: ApiRequest;
  info: ResourceRequestInfo;
  registry: Registry;
  store: GenericStore;
  accept: AcceptAs;
  warnings: string[];
  writeContext(): WriteContext;
  /** What the handler serving this request was configured with. */
  server: ServerContext;
}

/** Per-server settings the verb handlers share. */
export interface ServerContext {
  /** The admission chain run on writes (src/apiserver/admission). */
  admit?: WriteContext['admit'];
  logger?: Logger;
  /** Live events one watcher may have waiting before it is closed as too slow (default: watch-stream.ts). */
  watcherCapacity?: number;
  /** The metrics server's samples for metrics.k8s.io (handlers/metrics.ts); undefined while there is none. */
  metrics?: () => MetricsSource | undefined;
  /** Probes the control plane's components for componentstatuses (handlers/component-statuses.ts). */
  componentStatuses?: () => Promise<ComponentHealth[]>;
  /** The authorizer chain (review APIs answer with it; escalation checks use it). */
  authorization?: Authorization;
  /** The live architecture view's tap: watch events delivered are told to it while anyone watches (flow/tap.ts). */
  flow?: FlowTap;
}

export function makeContext(req: ApiRequest, info: ResourceRequestInfo, registry: Registry, store: GenericStore,
  server: ServerContext = {}): HandlerContext {
  const admit = server.admit;
  const warnings: string[] = [];
  const dryRun = req.query.getAll('dryRun');
  return {
    req, info, registry, store, warnings, server,
    accept: acceptAs(req.headers['accept']),
    writeContext: () => {
      const warn = (m: string) => { warnings.push(m); };
      const annotate = (k: string, v: string) => { if (req.auditAnnotations) req.auditAnnotations[k] = v; };
      return registry.writeContext({
        dryRun: dryRun.includes('All'),
        fieldManager: req.query.get('fieldManager') ?? undefined,
        userAgent: req.headers['user-agent'],
        user: req.user,
        warn,
        // The store makes a new attributes object for each call: the request's part is filled in on it (no copy).
        admit: admit && ((attrs) => {
          attrs.subresource = info.subresource; attrs.user = req.user; attrs.warn = warn; attrs.annotate = annotate;
          return admit(attrs);
        }),
      });
    },
  };
}

/** The `includeObject` query parameter of Table requests (None, Metadata, Object; default Metadata). */
export function includeObject(ctx: HandlerContext): IncludeObject {
  const v = ctx.req.query.get('includeObject');
  if (!v) return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw badRequest(`includeObject: Unsupported value: ${JSON.stringify(v)}: supported values: "Metadata", "None", "Object"`);
}

export function jsonResponse(status: number, body: unknown, extraHeaders: Record<string, string> = {}): ApiResponse {
  // An object just written comes with its text (json-bodies.ts objectText).
  const text = objectText(body) ?? JSON.stringify(body);
  const res: ApiResponse = { status, headers: { 'content-type': 'application/json', ...extraHeaders }, body: text };
  if (text !== undefined) noteSerialized(res, text, body);
  return res;
}

function warningHeaders(ctx: HandlerContext): Record<string, string> {
  if (ctx.warnings.length === 0) return {};
  return { warning: ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') };
}

/** One object in the representation the client asked for (Table / PartialObjectMetadata / the object). */
export function objectResponse(ctx: HandlerContext, status: number, obj: KubeObject): ApiResponse {
  const h = warningHeaders(ctx);
  if (ctx.accept === 'table') {
    const t = toTable(ctx.store.def, [obj], { resourceVersion: obj.metadata.resourceVersion }, ctx.registry.clock(), true, includeObject(ctx));
    return jsonResponse(status, t, { 'content-type': 'application/json;as=Table;v=v1;g=meta.k8s.io', ...h });
  }
  if (ctx.accept === 'partial') return jsonResponse(status, partialObjectMetadata(obj), { 'content-type': 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io', ...h });
  return jsonResponse(status, obj, h);
}
