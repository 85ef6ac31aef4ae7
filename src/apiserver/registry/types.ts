// What one resource contributes to the API (DESIGN.md §3 "Registry strategy"). The generic store
// (registry/generic-store.ts) owns CRUD, resourceVersion checks, watch and error translation; a resource adds
// a ResourceDefinition in registry/<group>/<resource>/strategy.ts and a line in registry/index.ts.
import type { FieldError } from '../../api/errors.js';
import type { UserInfo } from '../../api/transport.js';

/** Any Kubernetes object as JSON. Strategies may narrow with kubernetes-types. */
export type KObject = {
  apiVersion?: string; kind?: string;
  metadata: ObjectMeta;
  spec?: any; status?: any; [k: string]: any;
};
export interface ObjectMeta {
  name?: string; generateName?: string; namespace?: string; uid?: string; resourceVersion?: string;
  generation?: number; creationTimestamp?: string; deletionTimestamp?: string; deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>; annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[]; finalizers?: string[]; managedFields?: any[]; [k: string]: any;
}
export interface OwnerReference {
  apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean;
}

export interface TableColumn {
  name: string; type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string; description: string; priority: number;
}

/** Context handed to strategies; lets a strategy look at other objects (e.g. allocate a free nodePort). */
export interface StrategyContext {
  /** Lists current objects of another (or the same) resource, all namespaces when namespace is undefined. */
  list(resource: { group: string; resource: string }, namespace?: string): Promise<KObject[]>;
  /** Current time (injected so tests control it). */
  now(): Date;
  /** True for dryRun=All: do not reserve anything permanently. */
  dryRun: boolean;
}

export interface Strategy {
  /** Whether spec changes bump metadata.generation (true for everything with a spec, as upstream). */
  readonly hasGeneration?: boolean;
  /** Whether the resource has a status subresource (main-resource writes then keep the old status). */
  readonly hasStatus?: boolean;
  /** Upstream defaulting (SetDefaults_*). Mutates obj. Runs on create, update and patch results. */
  defaults?(obj: KObject): void;
  /** Clears/sets fields on create (e.g. status reset). Mutates. */
  prepareForCreate?(obj: KObject, ctx: StrategyContext): void | Promise<void>;
  /** Carries over what a main-resource update may not change (e.g. status). Mutates newObj. */
  prepareForUpdate?(newObj: KObject, oldObj: KObject, ctx: StrategyContext): void | Promise<void>;
  /** For /status writes: carries over everything but status from oldObj. Mutates newObj. */
  prepareForStatusUpdate?(newObj: KObject, oldObj: KObject): void;
  /** Resource-specific validation (object meta is validated by the generic store). Paths as upstream ("spec.replicas"). */
  validate?(obj: KObject, ctx: StrategyContext): FieldError[] | Promise<FieldError[]>;
  validateUpdate?(newObj: KObject, oldObj: KObject, ctx: StrategyContext): FieldError[] | Promise<FieldError[]>;
  /** Allocation on create, after validation (e.g. Service clusterIP, nodePort). May throw StatusError. */
  allocate?(obj: KObject, ctx: StrategyContext, old?: KObject): void | Promise<void>;
  /** PUT of a missing object creates it (upstream's AllowCreateOnUpdate: services, endpoints, leases, events...). */
  readonly allowCreateOnUpdate?: boolean;
  /** DELETE answers with the deleted object instead of a Status (upstream's ReturnDeletedObject: pods). */
  readonly returnDeletedObject?: boolean;
  /**
   * Graceful deletion (pods): seconds the object stays, with deletionTimestamp set, before it may go; 0 deletes at
   * once. `requested` is DeleteOptions.gracePeriodSeconds.
   */
  gracePeriod?(obj: KObject, requested: number | undefined): number;
  /**
   * Deletion hooks for resources whose deletion is held by more than metadata.finalizers (namespaces:
   * spec.finalizers). `deletionHeld` keeps a deleting object stored; `beginDeletion` changes the object when its
   * deletion starts but it stays (namespaces: status.phase Terminating).
   */
  deletionHeld?(obj: KObject): boolean;
  beginDeletion?(obj: KObject): void;
  /**
   * Writes through subresources other than status and scale (pods/binding, namespaces/finalize): what each may
   * change. status and scale are generic (prepareForStatusUpdate; the scale handler).
   */
  subresources?: Record<string, SubresourceStrategy>;
  /** Extra field selectors beyond metadata.name / metadata.namespace. */
  fieldSelectors?: Record<string, (obj: KObject) => string | undefined>;
  /** Server-side printing for `kubectl get` (Table). */
  table?: { columns: TableColumn[]; row(obj: KObject, now: Date): unknown[] };
}

/** How an update through one subresource changes the stored object. */
export interface SubresourceStrategy {
  /** Carries over from oldObj everything a write through this subresource may not change. Mutates newObj. */
  prepareForUpdate(newObj: KObject, oldObj: KObject): void;
  /** The subresource's handler checked the change itself; the resource's update validation does not run. */
  readonly skipValidation?: boolean;
}

export interface ResourceDefinition {
  group: string;            // '' for core
  version: string;          // 'v1'
  resource: string;         // plural, e.g. 'deployments'
  singular: string;         // 'deployment'
  kind: string;             // 'Deployment'
  listKind?: string;        // default kind + 'List'
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Default: create delete deletecollection get list patch update watch. */
  verbs?: string[];
  /** Subresources served: 'status', 'scale', 'log', 'binding', 'eviction', 'exec', 'attach', 'portforward', 'proxy'. */
  subresources?: string[];
  strategy: Strategy;
  /**
   * Where objects live when another resource owns the storage (upstream: one storage per group-resource, served
   * in several API versions, e.g. events.k8s.io/v1 Events stored as core/v1 Events). The store reads and writes
   * the keys of `group`/`resource`, converting with toStorage before every write and fromStorage after every
   * read (get, list, watch, and the object a write returns).
   */
  storage?: StorageMapping;
  /**
   * For resources that are never stored (upstream's review APIs, verbs ['create']): a POST is answered with
   * review(body, requesting user) and 201, nothing is written. May throw StatusError (e.g. 422 for a bad spec).
   */
  review?(obj: KObject, user: UserInfo | undefined): KObject | Promise<KObject>;
}

export interface StorageMapping {
  group: string;
  resource: string;
  /** This API's object → the stored object (the owning resource's shape, apiVersion and kind). Must not mutate. */
  toStorage(obj: KObject): KObject;
  /** The stored object → this API's object (apiVersion and kind set). Must not mutate. */
  fromStorage(obj: KObject): KObject;
}
