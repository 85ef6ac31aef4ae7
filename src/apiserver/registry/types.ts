// What one resource contributes to the API (DESIGN.md §3 "Registry strategy"). The generic store
// (registry/generic-store.ts) owns CRUD, resourceVersion checks, watch and error translation; a resource adds
// its line in api/resources.ts, a ResourceDefinition in registry/<group>/<resource>/strategy.ts and a line in
// registry/all-resources.ts.
import type { FieldError } from '../../api/errors.js';
import type { UserInfo } from '../../api/transport.js';
import type { KubeObject } from '../../api/object.js';
import type { ApiResource } from '../../api/resources.js';
import type { SchemaModel } from '../../api/schema/types.js';

export interface TableColumn {
  name: string; type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string; description: string; priority: number;
}

/** Context handed to strategies; lets a strategy look at other objects (e.g. allocate a free nodePort). */
export interface StrategyContext {
  /** Lists current objects of another (or the same) resource, all namespaces when namespace is undefined. */
  list(resource: { group: string; resource: string }, namespace?: string): Promise<KubeObject[]>;
  /** Current time (injected so tests control it). */
  now(): Date;
  /** True for dryRun=All: do not reserve anything permanently. */
  dryRun: boolean;
  /** The requesting user, on writes that come from a request. */
  user?: UserInfo;
}

export interface Strategy {
  /** Whether spec changes bump metadata.generation (true for everything with a spec, as upstream). */
  readonly hasGeneration?: boolean;
  /** Whether the resource has a status subresource (main-resource writes then keep the old status). */
  readonly hasStatus?: boolean;
  /** Upstream defaulting (SetDefaults_*). Mutates obj. Runs on create, update and patch results. */
  defaults?(obj: KubeObject): void;
  /** Clears/sets fields on create (e.g. status reset). Mutates. */
  prepareForCreate?(obj: KubeObject, ctx: StrategyContext): void | Promise<void>;
  /** Carries over what a main-resource update may not change (e.g. status). Mutates newObj. */
  prepareForUpdate?(newObj: KubeObject, oldObj: KubeObject, ctx: StrategyContext): void | Promise<void>;
  /** For /status writes: carries over everything but status from oldObj. Mutates newObj. */
  prepareForStatusUpdate?(newObj: KubeObject, oldObj: KubeObject): void;
  /** Resource-specific validation (object meta is validated by the generic store). Paths as upstream ("spec.replicas"). */
  validate?(obj: KubeObject, ctx: StrategyContext): FieldError[] | Promise<FieldError[]>;
  validateUpdate?(newObj: KubeObject, oldObj: KubeObject, ctx: StrategyContext): FieldError[] | Promise<FieldError[]>;
  /**
   * For /status writes, upstream's status strategy's ValidateUpdate (object meta is validated by the generic
   * store); validateUpdate when absent.
   */
  validateStatusUpdate?(newObj: KubeObject, oldObj: KubeObject, ctx: StrategyContext): FieldError[] | Promise<FieldError[]>;
  /** Allocation on create, after validation (e.g. Service clusterIP, nodePort). May throw StatusError. */
  allocate?(obj: KubeObject, ctx: StrategyContext, old?: KubeObject): void | Promise<void>;
  /** PUT of a missing object creates it (upstream's AllowCreateOnUpdate: services, endpoints, leases, events...). */
  readonly allowCreateOnUpdate?: boolean;
  /** DELETE answers with the deleted object instead of a Status (upstream's ReturnDeletedObject: pods). */
  readonly returnDeletedObject?: boolean;
  /**
   * Graceful deletion (pods): seconds the object stays, with deletionTimestamp set, before it may go; 0 deletes at
   * once. `requested` is DeleteOptions.gracePeriodSeconds.
   */
  gracePeriod?(obj: KubeObject, requested: number | undefined): number;
  /**
   * Deletion hooks for resources whose deletion is held by more than metadata.finalizers (namespaces:
   * spec.finalizers). `deletionHeld` keeps a deleting object stored; `beginDeletion` changes the object when its
   * deletion starts but it stays (namespaces: status.phase Terminating).
   */
  deletionHeld?(obj: KubeObject): boolean;
  beginDeletion?(obj: KubeObject): void;
  /**
   * Writes through subresources other than status and scale (pods/binding, namespaces/finalize): what each may
   * change. status and scale are generic (prepareForStatusUpdate; the scale handler).
   */
  subresources?: Record<string, SubresourceStrategy>;
  /** Extra field selectors beyond metadata.name / metadata.namespace. */
  fieldSelectors?: Record<string, (obj: KubeObject) => string | undefined>;
  /** Server-side printing for `kubectl get` (Table). */
  table?: {
    columns: TableColumn[]; row(obj: KubeObject, now: Date): unknown[];
    /** The order of a list's rows when upstream's printer sorts them (FlowSchemas: matching order). */
    sort?(a: KubeObject, b: KubeObject): number;
  };
}

/** How an update through one subresource changes the stored object. */
export interface SubresourceStrategy {
  /** Carries over from oldObj everything a write through this subresource may not change. Mutates newObj. */
  prepareForUpdate(newObj: KubeObject, oldObj: KubeObject): void;
  /** The subresource's handler checked the change itself; the resource's update validation does not run. */
  readonly skipValidation?: boolean;
}

/**
 * A served resource: its entry in the one registry (api/resources.ts: group, version, kind, scope, discovery facts)
 * plus what the apiserver adds, written `{ ...resources.pods, strategy: {...} }` in the resource's strategy.ts.
 */
export interface ResourceDefinition extends ApiResource {
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
  review?(obj: KubeObject, user: UserInfo | undefined, ctx: ReviewContext): KubeObject | Promise<KubeObject>;
  /** Set for custom resources (served for a CustomResourceDefinition, src/apiserver/apiextensions). */
  custom?: CustomResourceInfo;
  /** For metrics.k8s.io: get and list are answered from the metrics server's samples (handlers/metrics.ts). */
  metrics?: 'nodes' | 'pods';
  /** For componentstatuses: get and list are answered by probing the control plane (handlers/component-statuses.ts). */
  componentStatuses?: true;
  /** A built-in resource served though deprecated: the Warning every response carries (upstream's wording). */
  deprecationWarning?: string;
}

/** What a custom resource brings beyond a built-in's definition. */
export interface CustomResourceInfo {
  /** The built-in model plus this version's schema (field validation, pruning, managedFields, apply, OpenAPI). */
  model: SchemaModel;
  /** Changes whenever the served schema or names change (OpenAPI documents are cached by it). */
  schemaKey: string;
  /** Set for a version marked deprecated: the Warning every response carries (upstream's wording by default). */
  deprecationWarning?: string;
  /** The scale subresource's JSON paths (".spec.replicas"), when declared. */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
}

/** What a review API sees besides the body and the user: the request's namespace and the authorizer chain. */
export interface ReviewContext {
  namespace?: string;
  authorization?: { authorizer: import('../authorization/authorizer.js').Authorizer; rules: import('../authorization/authorizer.js').RuleResolver };
}

export interface StorageMapping {
  group: string;
  resource: string;
  /** This API's object → the stored object (the owning resource's shape, apiVersion and kind). Must not mutate. */
  toStorage(obj: KubeObject): KubeObject;
  /** The stored object → this API's object (apiVersion and kind set). Must not mutate. */
  fromStorage(obj: KubeObject): KubeObject;
}
