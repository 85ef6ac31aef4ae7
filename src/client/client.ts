// The REST client every component uses (DESIGN.md §1: components see the cluster only through the API).
// URLs and verbs are upstream's: /api/v1/... for the core group, /apis/<group>/<version>/... otherwise.
import { badRequest, internal, StatusError, type Status } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { apiVersionOf, type ResourceId } from '../api/resources.js';
// Re-exported for code written against the client's old home of these types; new code imports from src/api.
export type { KubeObject, ObjectMeta, OwnerReference } from '../api/object.js';
export { resources, apiVersionOf, type ResourceId } from '../api/resources.js';
import { splitLines, type Transport, type TransportRequest } from './transport.js';

export interface ObjectList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

/** The URL path of a collection or object: /api/v1/namespaces/ns/pods/name/sub. */
export function resourcePath(res: ResourceId, namespace?: string, name?: string, subresource?: string): string {
  let p = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
  if (res.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${res.resource}`;
  if (name !== undefined) {
    if (!name) throw badRequest('resource name may not be empty');
    p += `/${encodeURIComponent(name)}`;
  }
  if (subresource) p += `/${subresource}`;
  return p;
}

export interface ListOptions {
  /** Undefined = all namespaces (or a cluster-scoped resource). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}
export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** Server ends the watch after this long (upstream's default client timeout is 5-10 min, randomized). */
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
}
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export interface WatchEvent<T extends KubeObject = KubeObject> { type: WatchEventType; object: T }
export interface WatchHandlers<T extends KubeObject = KubeObject> {
  onEvent(type: Exclude<WatchEventType, 'ERROR'>, obj: T): void;
  /** A failure: non-2xx when opening, a broken connection, or an ERROR event (e.g. 410 Expired). The watch then ends. */
  onError?(err: StatusError | Error): void;
  /** Called exactly once when the watch has ended for any reason other than stop(). */
  onClose?(): void;
}
export interface WriteOptions { dryRun?: boolean; fieldManager?: string; fieldValidation?: 'Ignore' | 'Warn' | 'Strict' }
/**
 * For a writer that only needs to know the write succeeded (client-go's Do(ctx).Error()): the server's answer is not
 * decoded and the call resolves with undefined. Errors are raised exactly as without it.
 */
export interface DiscardResult { discardResult: true }
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';
export interface PatchOptions extends WriteOptions { force?: boolean }
export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}
export interface DeleteCollectionOptions extends DeleteOptions {
  namespace?: string; labelSelector?: string; fieldSelector?: string;
}
export interface Scale {
  apiVersion: 'autoscaling/v1'; kind: 'Scale';
  metadata: NonNullable<KubeObject['metadata']>;
  spec: { replicas?: number };
  status?: { replicas: number; selector?: string };
}

const patchContentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface ClientOptions {
  /** Sent as User-Agent, e.g. "nanokube-scheduler/v0.1.0"; upstream's audit logs and kubectl's events show it. */
  userAgent?: string;
}

export class Client {
  constructor(readonly transport: Transport, private readonly opts: ClientOptions = {}) {}

  private headers(extra?: Record<string, string>): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json', ...extra };
    if (this.opts.userAgent) h['user-agent'] = this.opts.userAgent;
    return h;
  }

  /** One request with a JSON body (if any) and a JSON response. Escape hatch for verbs not covered below. */
  async requestJson<T>(req: { method: string; path: string; query?: URLSearchParams; body?: unknown; contentType?: string; signal?: AbortSignal; discardResult?: boolean }): Promise<T> {
    const tr: TransportRequest = {
      method: req.method, path: req.path, query: req.query, signal: req.signal,
      headers: this.headers(req.body !== undefined ? { 'content-type': req.contentType ?? 'application/json' } : undefined),
      body: req.body !== undefined ? Buffer.from(JSON.stringify(req.body)) : undefined,
    };
    const res = await this.transport.request(tr);
    if (req.discardResult) return undefined as T;
    const text = res.text ?? res.body.toString('utf8');
    if (text.length === 0) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw internal(`the server returned a body that is not JSON (${res.headers['content-type'] ?? 'no content type'})`);
    }
  }

  /** Raw text of a GET (pod logs and other text subresources). */
  async getText(path: string, query?: URLSearchParams, signal?: AbortSignal): Promise<string> {
    const res = await this.transport.request({ method: 'GET', path, query, signal, headers: this.headers({ accept: '*/*' }) });
    return res.body.toString('utf8');
  }

  get<T extends KubeObject = KubeObject>(res: ResourceId, namespace: string | undefined, name: string): Promise<T> {
    return this.requestJson<T>({ method: 'GET', path: resourcePath(res, namespace, name) });
  }

  async list<T extends KubeObject = KubeObject>(res: ResourceId, opts: ListOptions = {}): Promise<ObjectList<T>> {
    const q = new URLSearchParams();
    setQ(q, 'labelSelector', opts.labelSelector);
    setQ(q, 'fieldSelector', opts.fieldSelector);
    setQ(q, 'limit', opts.limit);
    setQ(q, 'continue', opts.continue);
    setQ(q, 'resourceVersion', opts.resourceVersion);
    setQ(q, 'resourceVersionMatch', opts.resourceVersionMatch);
    const list = await this.requestJson<ObjectList<T>>({ method: 'GET', path: resourcePath(res, opts.namespace), query: q });
    list.items ??= [];
    list.metadata ??= {};
    // Upstream list items may omit TypeMeta; fill it so consumers (event recorder, owner refs) can rely on it.
    const kind = res.kind ?? (list.kind?.endsWith('List') ? list.kind.slice(0, -4) : undefined);
    for (const item of list.items) {
      item.apiVersion ??= apiVersionOf(res);
      if (kind) item.kind ??= kind;
    }
    return list;
  }

  /**
   * The watch stream as an async iterable. ERROR events are thrown as StatusError (410 Expired → isGone);
   * iteration ends when the server ends the watch (e.g. timeoutSeconds) or `signal` aborts.
   */
  async *watchEvents<T extends KubeObject = KubeObject>(res: ResourceId, opts: WatchOptions, signal?: AbortSignal): AsyncIterable<WatchEvent<T>> {
    const q = new URLSearchParams({ watch: 'true' });
    setQ(q, 'labelSelector', opts.labelSelector);
    setQ(q, 'fieldSelector', opts.fieldSelector);
    setQ(q, 'resourceVersion', opts.resourceVersion);
    setQ(q, 'allowWatchBookmarks', opts.allowWatchBookmarks);
    setQ(q, 'timeoutSeconds', opts.timeoutSeconds);
    setQ(q, 'sendInitialEvents', opts.sendInitialEvents);
    const stream = await this.transport.stream({
      method: 'GET', path: resourcePath(res, opts.namespace), query: q, signal, headers: this.headers(),
    });
    for await (const line of splitLines(stream.chunks)) {
      if (signal?.aborted) return;
      let ev: WatchEvent<T>;
      try { ev = JSON.parse(line) as WatchEvent<T>; } catch {
        throw internal('the server sent a watch event that is not JSON');
      }
      if (ev.type === 'ERROR') throw StatusError.fromStatus(ev.object as unknown as Partial<Status>);
      if (ev.object && ev.type !== 'BOOKMARK') {
        ev.object.apiVersion ??= apiVersionOf(res);
        if (res.kind) ev.object.kind ??= res.kind;
      }
      yield ev;
    }
  }

  /** Handler-style watch. Returns stop(); after stop() no handler is called. */
  watch<T extends KubeObject = KubeObject>(res: ResourceId, opts: WatchOptions, handlers: WatchHandlers<T>): () => void {
    const ac = new AbortController();
    void (async () => {
      try {
        for await (const ev of this.watchEvents<T>(res, opts, ac.signal)) {
          if (ac.signal.aborted) return;
          handlers.onEvent(ev.type as Exclude<WatchEventType, 'ERROR'>, ev.object);
        }
      } catch (e) {
        if (ac.signal.aborted) return;
        handlers.onError?.(e as Error);
      }
      if (!ac.signal.aborted) handlers.onClose?.();
    })();
    return () => ac.abort();
  }

  create(res: ResourceId, namespace: string | undefined, obj: KubeObject, opts: WriteOptions & DiscardResult): Promise<void>;
  create<T extends KubeObject = KubeObject>(res: ResourceId, namespace: string | undefined, obj: KubeObject, opts?: WriteOptions): Promise<T>;
  create<T extends KubeObject = KubeObject>(res: ResourceId, namespace: string | undefined, obj: KubeObject, opts: WriteOptions & Partial<DiscardResult> = {}): Promise<T | void> {
    return this.requestJson<T>({ method: 'POST', path: resourcePath(res, namespace), query: writeQuery(opts), body: obj, discardResult: opts.discardResult });
  }

  /** PUT of the whole object; namespace and name come from obj.metadata. Conflict when resourceVersion is stale. */
  update<T extends KubeObject = KubeObject>(res: ResourceId, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.requestJson<T>({ method: 'PUT', path: resourcePath(res, obj.metadata?.namespace, nameOf(obj)), query: writeQuery(opts), body: obj });
  }

  /** PUT to the status subresource. */
  updateStatus<T extends KubeObject = KubeObject>(res: ResourceId, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.requestJson<T>({ method: 'PUT', path: resourcePath(res, obj.metadata?.namespace, nameOf(obj), 'status'), query: writeQuery(opts), body: obj });
  }

  /** PATCH; `apply` is server-side apply (fieldManager required by the server, force to take over conflicts). */
  patch(res: ResourceId, namespace: string | undefined, name: string, type: PatchType, body: unknown,
    opts: PatchOptions & { subresource?: 'status' | 'scale' } & DiscardResult): Promise<void>;
  patch<T extends KubeObject = KubeObject>(res: ResourceId, namespace: string | undefined, name: string, type: PatchType, body: unknown,
    opts?: PatchOptions & { subresource?: 'status' | 'scale' }): Promise<T>;
  patch<T extends KubeObject = KubeObject>(res: ResourceId, namespace: string | undefined, name: string, type: PatchType, body: unknown,
    opts: PatchOptions & { subresource?: 'status' | 'scale' } & Partial<DiscardResult> = {}): Promise<T | void> {
    const q = writeQuery(opts);
    setQ(q, 'force', opts.force);
    return this.requestJson<T>({
      method: 'PATCH', path: resourcePath(res, namespace, name, opts.subresource), query: q, body, contentType: patchContentTypes[type], discardResult: opts.discardResult,
    });
  }

  /** DELETE; resolves with what the server returns (the object when finalizers/grace keep it, else a Success Status). */
  delete<T = KubeObject | Status>(res: ResourceId, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<T> {
    const q = new URLSearchParams();
    if (opts.dryRun) q.set('dryRun', 'All');
    return this.requestJson<T>({ method: 'DELETE', path: resourcePath(res, namespace, name), query: q, body: deleteBody(opts) });
  }

  deleteCollection<T = ObjectList | Status>(res: ResourceId, opts: DeleteCollectionOptions = {}): Promise<T> {
    const q = new URLSearchParams();
    setQ(q, 'labelSelector', opts.labelSelector);
    setQ(q, 'fieldSelector', opts.fieldSelector);
    if (opts.dryRun) q.set('dryRun', 'All');
    return this.requestJson<T>({ method: 'DELETE', path: resourcePath(res, opts.namespace), query: q, body: deleteBody(opts) });
  }

  /** POST to a subresource: pods/binding (scheduler), pods/eviction (drain). */
  createSubresource<T = unknown>(res: ResourceId, namespace: string | undefined, name: string, subresource: 'binding' | 'eviction', body: unknown, opts: WriteOptions & Partial<DiscardResult> = {}): Promise<T> {
    return this.requestJson<T>({ method: 'POST', path: resourcePath(res, namespace, name, subresource), query: writeQuery(opts), body, discardResult: opts.discardResult });
  }

  getScale(res: ResourceId, namespace: string, name: string): Promise<Scale> {
    return this.requestJson<Scale>({ method: 'GET', path: resourcePath(res, namespace, name, 'scale') });
  }
  updateScale(res: ResourceId, namespace: string, name: string, scale: Scale, opts: WriteOptions = {}): Promise<Scale> {
    return this.requestJson<Scale>({ method: 'PUT', path: resourcePath(res, namespace, name, 'scale'), query: writeQuery(opts), body: scale });
  }
}

function nameOf(obj: KubeObject): string {
  const n = obj.metadata?.name;
  if (!n) throw badRequest('resource name may not be empty');
  return n;
}
function setQ(q: URLSearchParams, k: string, v: string | number | boolean | undefined): void {
  if (v !== undefined && v !== '') q.set(k, String(v));
}
function writeQuery(opts: WriteOptions): URLSearchParams {
  const q = new URLSearchParams();
  if (opts.dryRun) q.set('dryRun', 'All');
  setQ(q, 'fieldManager', opts.fieldManager);
  setQ(q, 'fieldValidation', opts.fieldValidation);
  return q;
}
function deleteBody(opts: DeleteOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
  if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
  if (opts.preconditions) body.preconditions = opts.preconditions;
  if (opts.dryRun) body.dryRun = ['All'];
  return body;
}
