// The kubelet's Secret and ConfigMap managers in upstream's default (Watch) strategy
// (pkg/kubelet/util/manager/watch_based_manager.go, with pkg/kubelet/{secret,configmap}): each object a pod on this
// node references is followed by a watch of that one object (list + watch with fieldSelector metadata.name=<name>,
// which the node authorizer allows for objects of the node's pods), shared by every pod referencing it and stopped
// once none does. Reads come from that cache: a pod start costs no GET, and a changed object reaches its pods'
// volumes through onChange instead of waiting for a resync.
//   registerPod(pod)    on every pod the kubelet is given (add, update): its references replace the previous ones
//   unregisterPod(uid)  once the pod is gone and torn down
// A read of an object no registered pod references (or one whose watch has not synced within a second, where
// upstream answers "failed to sync configmap cache") is a direct GET, so a read is never wrong, only slower.
// A missing object is upstream's NotFound: `configmap "<name>" not found`.
import type { ConfigMap, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { notFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { resources } from '../../api/resources.js';
import type { Client } from '../../client/client.js';
import { SharedInformer } from '../../client/informer.js';
import { discardLog, errorText, type LogFn } from '../../client/log.js';
import { apiObjectSource, type ObjectSource } from '../envvars/object-source.js';

type Kind = 'secret' | 'configmap';

/** The Secrets and ConfigMaps a pod's containers and volumes read (env, envFrom, volumes, projected sources). */
export function podObjectReferences(pod: Pod): { secrets: Set<string>; configmaps: Set<string> } {
  const secrets = new Set<string>();
  const configmaps = new Set<string>();
  const spec = pod.spec;
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])]) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
      if (e.valueFrom?.configMapKeyRef?.name) configmaps.add(e.valueFrom.configMapKeyRef.name);
    }
    for (const e of c.envFrom ?? []) {
      if (e.secretRef?.name) secrets.add(e.secretRef.name);
      if (e.configMapRef?.name) configmaps.add(e.configMapRef.name);
    }
  }
  for (const v of spec?.volumes ?? []) {
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    if (v.configMap?.name) configmaps.add(v.configMap.name);
    for (const s of v.projected?.sources ?? []) {
      if (s.secret?.name) secrets.add(s.secret.name);
      if (s.configMap?.name) configmaps.add(s.configMap.name);
    }
  }
  return { secrets, configmaps };
}

interface Item {
  kind: Kind;
  namespace: string;
  name: string;
  informer: SharedInformer<KubeObject>;
  stop: AbortController;
  /** Pod uids referencing the object. */
  pods: Set<string>;
}

export interface WatchBasedManagerOptions {
  client: Client;
  log?: LogFn;
  /** How long a read waits for a new watch's first list before reading directly (upstream: 1 s). */
  syncTimeoutMs?: number;
  /** An object changed (after its first list): the uids of the pods referencing it. */
  onChange?: (podUids: string[]) => void;
}

export class WatchBasedManager implements ObjectSource {
  private readonly items = new Map<string, Item>();
  /** uid → keys of the objects the pod references. */
  private readonly podKeys = new Map<string, Set<string>>();
  private readonly direct: ObjectSource;
  private readonly log: LogFn;
  private stopped = false;

  constructor(private readonly opts: WatchBasedManagerOptions) {
    this.direct = apiObjectSource(opts.client);
    this.log = opts.log ?? discardLog;
  }

  /** Records what the pod references (replacing its previous references) and watches what is new. */
  registerPod(pod: Pod): void {
    const uid = pod.metadata?.uid;
    if (!uid || this.stopped) return;
    const namespace = pod.metadata?.namespace ?? 'default';
    const refs = podObjectReferences(pod);
    const keys = new Set<string>([
      ...[...refs.secrets].map((n) => key('secret', namespace, n)),
      ...[...refs.configmaps].map((n) => key('configmap', namespace, n)),
    ]);
    const before = this.podKeys.get(uid);
    for (const k of keys) if (!before?.has(k)) this.reference(k, uid);
    if (before) for (const k of before) if (!keys.has(k)) this.dereference(k, uid);
    if (keys.size) this.podKeys.set(uid, keys); else this.podKeys.delete(uid);
  }

  /** The pod is gone: its references go, and the watches nobody else needs stop. */
  unregisterPod(uid: string): void {
    const keys = this.podKeys.get(uid);
    if (!keys) return;
    this.podKeys.delete(uid);
    for (const k of keys) this.dereference(k, uid);
  }

  // Bound (arrow) members: callers take them off the object as ObjectSource allows.
  readonly getSecret = (namespace: string, name: string): Promise<Secret> =>
    this.get<Secret>('secret', namespace, name, () => this.direct.getSecret(namespace, name));

  readonly getConfigMap = (namespace: string, name: string): Promise<ConfigMap> =>
    this.get<ConfigMap>('configmap', namespace, name, () => this.direct.getConfigMap(namespace, name));

  readonly getPersistentVolumeClaim = (namespace: string, name: string): Promise<KubeObject> => this.direct.getPersistentVolumeClaim!(namespace, name);
  readonly getPersistentVolume = (name: string): Promise<KubeObject> => this.direct.getPersistentVolume!(name);

  /** Number of objects watched (tests). */
  get watched(): number { return this.items.size; }

  stop(): void {
    this.stopped = true;
    for (const item of this.items.values()) item.stop.abort();
    this.items.clear();
    this.podKeys.clear();
  }

  private async get<T>(kind: Kind, namespace: string, name: string, direct: () => Promise<T>): Promise<T> {
    const item = this.items.get(key(kind, namespace, name));
    if (!item) return direct();
    if (!item.informer.hasSynced()) {
      const timeout = AbortSignal.timeout(this.opts.syncTimeoutMs ?? 1_000);
      if (!await item.informer.waitForSync(AbortSignal.any([timeout, item.stop.signal]))) return direct();
    }
    const obj = item.informer.getByName(namespace, name);
    if (!obj) throw notFound({ resource: kind }, name);
    return obj as T;
  }

  private reference(k: string, uid: string): void {
    let item = this.items.get(k);
    if (!item) {
      const [kind, namespace, name] = JSON.parse(k) as [Kind, string, string];
      const informer = new SharedInformer<KubeObject>(this.opts.client, kind === 'secret' ? resources.secrets : resources.configmaps, {
        namespace, fieldSelector: `metadata.name=${name}`, log: this.log,
      });
      item = { kind, namespace, name, informer, stop: new AbortController(), pods: new Set() };
      const it = item;
      const changed = () => { if (it.informer.hasSynced() && this.items.get(k) === it) this.opts.onChange?.([...it.pods]); };
      informer.addEventHandler({ onAdd: (_o, initial) => { if (!initial) changed(); }, onUpdate: (o, n) => { if (o.metadata?.resourceVersion !== n.metadata?.resourceVersion) changed(); }, onDelete: changed });
      this.items.set(k, item);
      void informer.run(item.stop.signal).catch((e) => this.log({ level: 'warn', msg: 'object watch ended', kind, namespace, name, error: errorText(e) }));
    }
    item.pods.add(uid);
  }

  private dereference(k: string, uid: string): void {
    const item = this.items.get(k);
    if (!item) return;
    item.pods.delete(uid);
    if (item.pods.size) return;
    item.stop.abort();
    this.items.delete(k);
  }
}

const key = (kind: Kind, namespace: string, name: string) => JSON.stringify([kind, namespace, name]);
