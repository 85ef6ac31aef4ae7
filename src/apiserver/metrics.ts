// The API server's Prometheus metrics with upstream's names and labels (k8s.io/apiserver/pkg/endpoints/metrics and
// storage/etcd3/metrics): requests by verb, dry run, group, version, resource, subresource, scope, component and
// code, their latency, the datastore's latency per operation and type, and the number of stored objects per
// resource. GET /metrics serves these together with the registries of the control-plane components running in this
// process (the controller manager's work queues, the scheduler): upstream serves those on the components' own ports
// (10257, 10259); nanokube runs them inside the API server's process, so its /metrics is their one scrape target.
// Every API server has registries of its own (never prom-client's global one): clusters in one process stay apart.
import { Gauge, Registry } from 'prom-client';
import { CounterFamily, HistogramFamily } from './metric-family.js';
import type { Store } from '../storage/backend.js';
import type { ResourceRequestInfo } from './request-info.js';
import { resources, verbsOf } from '../api/resources.js';

const groups = new Set(Object.values(resources).map((r) => r.group).filter(Boolean));
/** Every stored built-in resource once (group, resource), as upstream's apiserver_storage_objects reports them. */
const stored = [...new Map(Object.values(resources).filter((r) => verbsOf(r).includes('list'))
  .map((r) => [`${r.resource}.${r.group}`, { label: r.group ? `${r.resource}.${r.group}` : r.resource, prefix: `/registry/${r.group ? r.group + '/' : ''}${r.resource}/` }])).values()];
// upstream's request and etcd latency buckets
const latencyBuckets = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

export class ApiServerMetrics {
  readonly registry = new Registry();
  private readonly extra: Registry[] = [];
  /** The datastore as given (not timed): apiserver_storage_objects counts through it when scraped. */
  private counted: Store | undefined;
  private readonly requests = new CounterFamily({
    name: 'apiserver_request_total', help: '[STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
    labelNames: ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component', 'code'], registers: [this.registry],
  });
  private readonly latency = new HistogramFamily({
    name: 'apiserver_request_duration_seconds', help: '[STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
    labelNames: ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'],
    buckets: latencyBuckets, registers: [this.registry],
  });
  private readonly storage = new HistogramFamily({
    name: 'etcd_request_duration_seconds', help: '[ALPHA] Etcd request latency in seconds for each operation and object type.',
    labelNames: ['operation', 'type'], buckets: latencyBuckets, registers: [this.registry],
  });

  constructor() {
    const self = this;
    // Counted when scraped, through the untimed store, so a scrape adds no etcd_request_duration_seconds samples of
    // its own (upstream refreshes this gauge from a background loop).
    new Gauge({ name: 'apiserver_storage_objects', help: '[STABLE] Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.',
      labelNames: ['resource'], registers: [this.registry],
      async collect() {
        const store = self.counted;
        if (!store) return;
        await Promise.all(stored.map(async (r) => this.set({ resource: r.label }, await store.count(r.prefix).catch(() => -1))));
      } });
  }

  /** Adds a component's registry to what /metrics serves (their metric names must differ from each other's). */
  include(registry: Registry): void { if (!this.extra.includes(registry)) this.extra.push(registry); }

  /** Records one request (resource requests only; upstream labels other paths differently and we leave them out). */
  observe(info: ResourceRequestInfo, dryRun: boolean, code: number, seconds: number): void {
    const verb = info.verb === 'watch' ? 'WATCH' : info.verb === 'list' ? 'LIST' : info.verb.toUpperCase() === 'DELETECOLLECTION' ? 'DELETE' : httpVerb(info.verb);
    const labels = [verb, dryRun ? 'All' : '', info.group, info.version, info.resource, info.subresource ?? '',
      info.name !== undefined ? 'resource' : info.namespace ? 'namespace' : 'cluster', 'apiserver'];
    this.latency.observe(labels, seconds);
    labels.push(String(code));
    this.requests.inc(labels);
  }

  /** The datastore with each call timed (operation get/list/count/create/update/delete, type from the key). */
  instrument(store: Store): Store {
    this.counted = store;
    const timed = <A extends unknown[], R>(operation: string, fn: (key: string, ...rest: A) => Promise<R>) => async (key: string, ...rest: A): Promise<R> => {
      const t0 = performance.now();
      try { return await fn(key, ...rest); } finally { this.storage.observe([operation, objectType(key)], (performance.now() - t0) / 1000); }
    };
    const wrapped: Record<string, unknown> = {
      get: timed('get', store.get.bind(store)),
      list: timed('list', store.list.bind(store)),
      count: timed('count', store.count.bind(store)),
      create: timed('create', store.create.bind(store)),
      update: timed('update', store.update.bind(store)),
      delete: timed('delete', store.delete.bind(store)),
    };
    // Everything else goes to the store itself, called on it (never on the proxy).
    return new Proxy(store, {
      get(target, prop) {
        if (typeof prop === 'string' && prop in wrapped) return wrapped[prop];
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  }

  /** The Prometheus text (format 0.0.4) of this registry and every included one. */
  async text(): Promise<string> {
    const texts = await Promise.all([this.registry, ...this.extra].map((r) => r.metrics()));
    return texts.map((t) => (t.endsWith('\n') || t === '' ? t : t + '\n')).join('');
  }
}

const httpVerb = (verb: string) => ({ get: 'GET', create: 'POST', update: 'PUT', patch: 'PATCH', delete: 'DELETE' } as Record<string, string>)[verb] ?? verb.toUpperCase();

/** "/registry/apps/deployments/ns/x" → "deployments.apps", "/registry/pods/..." → "pods" (upstream's type label). */
function objectType(key: string): string {
  const parts = key.split('/').filter(Boolean);
  if (parts[0] !== 'registry' || parts.length < 2) return 'unknown';
  return (groups.has(parts[1]!) || parts[1]!.includes('.')) && parts.length > 2 ? `${parts[2]}.${parts[1]}` : parts[1]!;
}
