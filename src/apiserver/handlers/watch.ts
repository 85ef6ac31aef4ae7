import type { ApiResponse } from '../../api/transport.js';
import { isTrue } from '../request-info.js';
import { listQuery } from './list.js';
import { includeObject, type HandlerContext } from './context.js';
import { toTable } from '../table.js';
import type { KubeObject } from '../../api/object.js';
import { participantOf, type Participant } from '../flow/participants.js';
import { objectText } from '../json-bodies.js';

/**
 * The JSON of an event object, computed once however many watchers send it (objects are shared, read-only); an
 * object just written comes with its text (json-bodies.ts objectText), which the write's response used too.
 */
const serializedCache = new WeakMap<object, string>();
function serialized(o: object): string {
  let s = serializedCache.get(o);
  if (s === undefined) { s = objectText(o) ?? JSON.stringify(o); serializedCache.set(o, s); }
  return s;
}

/** A chunked stream of one JSON WatchEvent per line; with a Table Accept, each object is a one-row Table. */
export async function handleWatch(ctx: HandlerContext): Promise<ApiResponse> {
  const q = ctx.req.query;
  const lq = listQuery(q);
  const include = ctx.accept === 'table' ? includeObject(ctx) : 'Metadata';
  const ac = new AbortController();
  ctx.req.signal?.addEventListener('abort', () => ac.abort(), { once: true });
  const timeoutSeconds = lq.timeoutSeconds ?? 0;
  // Upstream ends every watch after timeoutSeconds, or a random 30–60 min by default (clients then re-watch).
  // Timers take at most 2^31-1 ms (about 24.8 days); a longer timeout would otherwise fire at once.
  const timeout = setTimeout(() => ac.abort(), Math.min((timeoutSeconds > 0 ? timeoutSeconds : 1800 + Math.random() * 1800) * 1000, 2 ** 31 - 1));
  timeout.unref();
  ac.signal.addEventListener('abort', () => clearTimeout(timeout), { once: true });
  if (ctx.info.name) lq.fieldSelector = [lq.fieldSelector, `metadata.name=${ctx.info.name}`].filter(Boolean).join(',');
  let events: ReturnType<typeof ctx.store.watch>;
  try {
    events = ctx.store.watch(ctx.info.namespace, {
      ...lq,
      allowWatchBookmarks: isTrue(q.get('allowWatchBookmarks')),
      sendInitialEvents: q.has('sendInitialEvents') ? isTrue(q.get('sendInitialEvents')) : undefined,
    }, ac.signal, {
      capacity: ctx.server.watcherCapacity,
      // Upstream's watch cache logs the same when it ends a watcher whose buffer stayed full.
      onFellBehind: () => ctx.server.logger?.info('watcher closed: fell behind', {
        resource: ctx.store.def.resource, namespace: ctx.info.namespace, user: ctx.req.user?.username,
      }),
    });
  } catch (e) { ac.abort(); throw e; }
  const table = ctx.accept === 'table';
  const def = ctx.store.def;
  const clock = ctx.registry.clock;
  async function* lines() {
    try {
      yield* eventLines();
    } finally { ac.abort(); } // releases the timer when the stream ends first (closed as too slow, storage error)
  }
  const flow = ctx.server.flow;
  let watcher: Participant | undefined;
  async function* eventLines() {
    let first = true;
    for await (const ev of events) {
      if (flow?.active && ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') {
        watcher ??= participantOf(ctx.req.user, ctx.req.headers['user-agent']);
        flow.delivered(watcher, ctx.req.user?.username, def, ev.type, ev.object as KubeObject);
      }
      let object: unknown = ev.object;
      if (table && (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED')) {
        const o = ev.object as KubeObject;
        object = toTable(def, [o], { resourceVersion: o.metadata.resourceVersion }, clock(), first, include);
        first = false;
      }
      yield object === ev.object ? `{"type":"${ev.type}","object":${serialized(object as object)}}\n` : JSON.stringify({ type: ev.type, object }) + '\n';
    }
  }
  const contentType = table ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json';
  return { status: 200, headers: { 'content-type': contentType, 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' }, stream: lines() };
}
