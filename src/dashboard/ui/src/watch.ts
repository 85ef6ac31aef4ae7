// List + watch in the browser, as an informer does: one list, then a watch from its resourceVersion whose events
// keep a local copy up to date; a watch the server ends is resumed from the last resourceVersion seen (bookmarks
// included), a 410 Gone lists again. Never polling. One ListWatch per (path, selectors) is shared by every component
// that asks for it (useList), and stopped a while after the last one lets go, so moving between a list and a detail
// page does not list again.
//
//   const { items, synced, error } = useList(resource, { namespace, labelSelector, fieldSelector });
//   const pods = useList({ path: '/api/v1/pods' });   // any list path, e.g. a kind this UI has no page for
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, api, type KubeObject } from './api';
import { openWatch } from './watch-socket';
import { resourcePath, type ResourceType } from './resources';

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

type WatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: any };

/** How long a ListWatch nobody uses keeps watching (a user coming back to the page finds it current). */
const LINGER_MS = 30_000;

const keyOf = (o: KubeObject) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);
const compare = (a: KubeObject, b: KubeObject) => {
  const an = a.metadata.namespace ?? '', bn = b.metadata.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
};

/** Managed fields are large and the dashboard does not show them: dropped on arrival (halves a pod's size). */
function slim(o: KubeObject): KubeObject {
  if (o.metadata?.managedFields) delete o.metadata.managedFields;
  return o;
}

export class ListWatch {
  readonly items = new Map<string, KubeObject>();
  resourceVersion = '';
  synced = false;
  error: ApiError | Error | undefined;
  /** Goes up by one per batch of changes: a cheap "did anything change" for renderers. */
  version = 0;
  private readonly listeners = new Set<() => void>();
  private abort = new AbortController();
  private stopped = true;
  private snapshot: { version: number; items: KubeObject[] } | undefined;
  private lingerTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly path: string, readonly query: URLSearchParams) {}

  /** The objects, sorted by namespace and name; the same array until something changes. */
  list(): KubeObject[] {
    if (this.snapshot?.version !== this.version) this.snapshot = { version: this.version, items: [...this.items.values()].sort(compare) };
    return this.snapshot.items;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    if (this.lingerTimer) { clearTimeout(this.lingerTimer); this.lingerTimer = undefined; }
    if (this.stopped) this.start();
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0) this.lingerTimer = setTimeout(() => this.stop(), LINGER_MS);
    };
  }

  private notify(): void {
    this.version++;
    for (const fn of this.listeners) fn();
  }

  private start(): void {
    this.stopped = false;
    this.abort = new AbortController();
    void this.run(this.abort.signal);
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    registry.delete(registryKey(this.path, this.query));
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const q = new URLSearchParams(this.query);
    const list = await api<{ metadata: { resourceVersion: string }; items: KubeObject[]; kind?: string }>(`${this.path}?${q}`, { signal });
    const kind = list.kind?.replace(/List$/, '');
    this.items.clear();
    for (const o of list.items) { if (kind) o.kind ??= kind; this.items.set(keyOf(o), slim(o)); }
    this.resourceVersion = list.metadata.resourceVersion;
    this.synced = true;
    this.error = undefined;
    this.notify();
  }

  private async run(signal: AbortSignal): Promise<void> {
    let backoff = 500;
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) { await this.relist(signal); needList = false; }
        const q = new URLSearchParams(this.query);
        q.set('watch', 'true');
        q.set('resourceVersion', this.resourceVersion);
        q.set('allowWatchBookmarks', 'true');
        await this.consume(`${this.path}?${q}`, signal, () => { backoff = 500; });
        // The server ended the watch (its timeout): resume from where we are.
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof ApiError && (err.code === 410 || err.reason === 'Expired' || err.reason === 'Gone')) { needList = true; continue; }
        this.error = err as Error;
        this.notify();
        if (err instanceof ApiError && (err.code === 401 || err.code === 403)) {
          // Not allowed to see this: no point retrying fast; try again later (RBAC may change).
          await sleep(30_000, signal);
        } else {
          await sleep(backoff, signal);
          backoff = Math.min(backoff * 2, 10_000);
        }
        needList = needList || !this.synced;
      }
    }
  }

  private async consume(path: string, signal: AbortSignal, onFirst: () => void): Promise<void> {
    let buffer = '';
    let failure: ApiError | undefined;
    // An ERROR event ends this watch here (the server may keep the stream open).
    const own = new AbortController();
    const onAbort = () => own.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    await openWatch(path, own.signal, (chunk) => {
      if (failure) return;
      onFirst();
      buffer += chunk;
      let nl: number;
      let changed = false;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        const ev = JSON.parse(line) as WatchEvent;
        if (ev.type === 'ERROR') { failure = new ApiError(ev.object ?? {}, ev.object?.code ?? 500); own.abort(); break; }
        const o = ev.object as KubeObject;
        if (o?.metadata?.resourceVersion) this.resourceVersion = o.metadata.resourceVersion;
        if (ev.type === 'BOOKMARK') continue;
        if (ev.type === 'DELETED') this.items.delete(keyOf(o));
        else this.items.set(keyOf(o), slim(o));
        changed = true;
      }
      // One render per chunk the server sent, however many events it held.
      if (changed) this.notify();
    }).finally(() => signal.removeEventListener('abort', onAbort));
    if (failure) throw failure;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

const registry = new Map<string, ListWatch>();
const registryKey = (path: string, q: URLSearchParams) => `${path}?${q}`;

/** The shared ListWatch of a list path and selectors. */
export function listWatch(path: string, opts: Omit<ListOptions, 'namespace'> = {}): ListWatch {
  const q = new URLSearchParams();
  if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
  if (opts.fieldSelector) q.set('fieldSelector', opts.fieldSelector);
  const key = registryKey(path, q);
  let lw = registry.get(key);
  if (!lw) { lw = new ListWatch(path, q); registry.set(key, lw); }
  return lw;
}

export interface ListState {
  items: KubeObject[];
  synced: boolean;
  error: Error | undefined;
  /** The ListWatch's change counter (re-render keys, memo dependencies). */
  version: number;
}

/**
 * The live list of a kind (or of any list path): re-renders the component on every change the watch brings.
 * Pass `null` to watch nothing (a page that does not know yet what to watch).
 */
export function useList(what: ResourceType | { path: string } | null, opts: ListOptions = {}): ListState {
  const path = what === null ? '' : 'path' in what ? what.path : resourcePath(what, opts.namespace);
  const lw = useMemo(() => (path ? listWatch(path, opts) : undefined), [path, opts.labelSelector, opts.fieldSelector]);
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!lw) return;
    return lw.subscribe(() => setTick((t) => t + 1));
  }, [lw]);
  if (!lw) return { items: [], synced: false, error: undefined, version: 0 };
  return { items: lw.list(), synced: lw.synced, error: lw.error, version: lw.version };
}
