// A watch as the apiserver serves it, over the Store seam: the initial events, then one event per stored change
// that matches the selectors, bookmarks, and the ERROR events upstream sends when the stream cannot go on.
import type { Store, KeyValue } from '../../storage/backend.js';
import { CompactedError, FutureRevisionError } from '../../storage/backend.js';
import { gone, internal, timeout, StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { EventQueue } from './event-queue.js';
import { parseResourceVersion } from './resource-version.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export interface WatchEvent { type: WatchEventType; object: KubeObject | Record<string, unknown> }

/**
 * How many live events one watcher may have waiting before it is closed as too slow. Upstream's watch cache ends
 * a watcher whose buffer stays full ("Forcing watcher close due to unresponsiveness"); the client then re-watches
 * from the last resourceVersion it saw, or relists if that is compacted. Each waiting event is a reference to an
 * object shared by every watcher, so N stalled watchers cost at most N × this many references.
 */
export const watcherCapacity = 1000;

export interface WatchStreamOptions {
  store: Store;
  prefix: string;
  resourceVersion?: string | null;
  sendInitialEvents?: boolean;
  allowWatchBookmarks?: boolean;
  matches(o: KubeObject): boolean;
  /** The current objects matching the selectors and the revision they were read at (for the initial events). */
  list(): Promise<{ items: KubeObject[]; resourceVersion: string }>;
  /** Decodes a stored revision; the result is shared between watchers and must not be mutated. */
  decode(kv: KeyValue): KubeObject;
  bookmark(revision: number, initialEventsEnd: boolean): KubeObject;
  signal: AbortSignal;
  /** Overrides watcherCapacity (tests). */
  capacity?: number;
  /** Called when the watcher is closed for falling behind. */
  onFellBehind?: () => void;
}

/**
 * Without a resourceVersion (or "0"), or with sendInitialEvents=true, first an ADDED event for every current
 * object; then changes after the revision. A compacted revision yields one ERROR event carrying a 410 Status, as
 * kube-apiserver does. A malformed resourceVersion throws before the stream starts (an HTTP error, as upstream).
 */
export function watchStream(o: WatchStreamOptions): EventQueue<WatchEvent> {
  if (o.resourceVersion) parseResourceVersion(o.resourceVersion);
  const queue = new EventQueue<WatchEvent>({ signal: o.signal, capacity: o.capacity ?? watcherCapacity, onOverflow: o.onFellBehind });
  const start = async () => {
    let from: number;
    const initial = o.sendInitialEvents === true || !o.resourceVersion || o.resourceVersion === '0';
    if (initial) {
      const all = await o.list();
      queue.seed(all.items.map((object) => ({ type: 'ADDED' as const, object })));
      from = Number(all.resourceVersion);
      if (o.sendInitialEvents && o.allowWatchBookmarks) queue.seed([{ type: 'BOOKMARK', object: o.bookmark(from, true) }]);
    } else {
      from = parseResourceVersion(o.resourceVersion!);
    }
    if (queue.isClosed) return;
    let lastRev = from;
    const watcher = o.store.watch(o.prefix, from, {
      onEvent: (ev) => {
        lastRev = ev.kv.modRevision;
        const obj = o.decode(ev.kv);
        if (ev.type === 'DELETE') { if (o.matches(obj)) queue.push({ type: 'DELETED', object: obj }); return; }
        const prev = ev.prevKv ? o.decode(ev.prevKv) : undefined;
        const now = o.matches(obj);
        const before = prev !== undefined && o.matches(prev);
        if (now && before) queue.push({ type: 'MODIFIED', object: obj });
        else if (now) queue.push({ type: 'ADDED', object: obj });
        else if (before) queue.push({ type: 'DELETED', object: obj });
      },
      onError: (err) => {
        if (err instanceof CompactedError) queue.push({ type: 'ERROR', object: tooOld(from, err.compacted) });
        else queue.push({ type: 'ERROR', object: { ...internal('watch ended: storage error').status } });
        queue.end();
      },
    });
    let bookmarkTimer: NodeJS.Timeout | undefined;
    if (o.allowWatchBookmarks) {
      bookmarkTimer = setInterval(() => queue.push({ type: 'BOOKMARK', object: o.bookmark(lastRev, false) }), 60_000);
      bookmarkTimer.unref();
    }
    queue.onClose(() => { watcher.stop(); if (bookmarkTimer) clearInterval(bookmarkTimer); });
  };
  start().catch((err) => {
    if (err instanceof FutureRevisionError) {
      queue.push({ type: 'ERROR', object: { ...timeout(`Too large resource version: ${err.requested}, current: ${err.current}`).status } });
    } else if (err instanceof CompactedError) {
      queue.push({ type: 'ERROR', object: tooOld(Number(o.resourceVersion), err.compacted) });
    } else if (err instanceof StatusError) {
      queue.push({ type: 'ERROR', object: { ...err.status } });
    } else {
      queue.push({ type: 'ERROR', object: { ...internal('watch failed').status } });
    }
    queue.end();
  });
  return queue;
}

function tooOld(requested: number, compacted: number) {
  return { ...gone(`too old resource version: ${requested} (${compacted + 1})`).status };
}
