// The REST operations a resource serves, described once and rendered as OpenAPI v2 or v3 paths (render.ts).
// Shapes follow upstream's documents: one path item per URL, operations tagged with x-kubernetes-action and
// x-kubernetes-group-version-kind, operationIds like "patchAppsV1NamespacedDeployment". kubectl relies on
// the PATCH operation of each kind declaring the fieldValidation query parameter (kubectl apply --validate).
import type { ResourceDefinition } from '../registry/types.js';
import type { SchemaModel } from '../../api/schema/types.js';
import { definitionNameForKind } from '../../api/schema/index.js';
import { verbsOf } from '../../api/resources.js';

export interface Gvk { group: string; version: string; kind: string }

export interface Param {
  name: string;
  in: 'path' | 'query';
  type: 'string' | 'boolean' | 'integer';
  description: string;
  required?: boolean;
}

export interface Response {
  code: string;
  description: string;
  /** Definition name of the body, or 'string' for text bodies (logs, streams). */
  body?: string;
}

export interface Operation {
  method: 'get' | 'put' | 'post' | 'delete' | 'patch';
  operationId: string;
  description: string;
  action: string;
  gvk?: Gvk;
  tag: string;
  params: Param[];
  /** Definition name of the request body; patch operations take a meta/v1 Patch in four media types. */
  body?: { definition: string; required: boolean; patch?: boolean };
  responses: Response[];
  produces: string[];
}

export interface PathItem {
  path: string;
  params: Param[];
  operations: Operation[];
}

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
export const PATCH_MEDIA_TYPES = [
  'application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];
const OBJECT_MEDIA = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const LIST_MEDIA = [...OBJECT_MEDIA, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];

const q = (name: string, type: Param['type'], description: string): Param => ({ name, in: 'query', type, description });

// Query parameters, in upstream's (alphabetical) order within each operation. Descriptions are ours.
const P = {
  pretty: q('pretty', 'string', 'If "true", the output is indented for reading.'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK watch events (the server may ignore it). Only with watch.'),
  continue: q('continue', 'string', 'The continue token from a previous paginated list, to fetch the next page.'),
  dryRun: q('dryRun', 'string', 'When "All", run every stage of the request but persist nothing.'),
  fieldManager: q('fieldManager', 'string', 'The name of the actor making the change, recorded in managedFields.'),
  fieldSelector: q('fieldSelector', 'string', 'Restrict the result to objects whose fields match this selector.'),
  fieldValidation: q('fieldValidation', 'string', 'What to do with unknown or duplicate fields in the body: "Ignore" (drop them), "Warn" (drop them and answer with a Warning header each) or "Strict" (fail with 400 BadRequest).'),
  force: q('force', 'boolean', 'Apply patches only: take ownership of fields other managers own instead of failing with a conflict.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'Seconds the object may take to terminate before deletion; 0 deletes immediately.'),
  ignoreStoreReadError: q('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean', 'Delete objects that cannot be read from storage. Dangerous; off by default.'),
  labelSelector: q('labelSelector', 'string', 'Restrict the result to objects whose labels match this selector.'),
  limit: q('limit', 'integer', 'The most items to return in one response; the rest come with the continue token.'),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy. Whether dependents are orphaned.'),
  propagationPolicy: q('propagationPolicy', 'string', 'How dependents are garbage collected: "Orphan", "Background" or "Foreground".'),
  resourceVersion: q('resourceVersion', 'string', 'Which version of the data a read may serve; see the API concepts documentation.'),
  resourceVersionMatch: q('resourceVersionMatch', 'string', 'How resourceVersion applies to a list: "Exact" or "NotOlderThan".'),
  sendInitialEvents: q('sendInitialEvents', 'boolean', 'With watch: begin the stream with synthetic ADDED events for the current state.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'End a list or watch call after this many seconds.'),
  watch: q('watch', 'boolean', 'Stream changes (ADDED, MODIFIED, DELETED) instead of returning a list.'),
};
const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion,
  P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_PARAMS = [...WRITE_PARAMS, P.force];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.ignoreStoreReadError, P.orphanDependents, P.propagationPolicy];
const DELETECOLLECTION_PARAMS = [P.continue, P.dryRun, P.fieldSelector, P.gracePeriodSeconds, P.ignoreStoreReadError,
  P.labelSelector, P.limit, P.orphanDependents, P.propagationPolicy, P.resourceVersion, P.resourceVersionMatch,
  P.sendInitialEvents, P.timeoutSeconds];

/** "apps" → "AppsV1", "" → "CoreV1", "rbac.authorization.k8s.io" → "RbacAuthorizationV1" (upstream's ids). */
export function groupVersionIdentifier(group: string, version: string): string {
  const g = group === '' ? 'core' : group.replace(/\.k8s\.io$/, '');
  const camel = g.split(/[.-]/).map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join('');
  return camel + version.charAt(0).toUpperCase() + version.slice(1);
}

/** "api/v1" for the core group, "apis/<group>/<version>" otherwise (the keys of /openapi/v3). */
export function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function groupVersionTag(group: string, version: string): string {
  return `${group === '' ? 'core' : group.replace(/\.k8s\.io$/, '').replace(/\./g, '_')}_${version}`;
}

/** Path items for one resource, plus the definitions its operations name (for the schema section). */
export function resourcePaths(model: SchemaModel, r: ResourceDefinition): { items: PathItem[]; definitions: Set<string> } {
  const gvk: Gvk = { group: r.group, version: r.version, kind: r.kind };
  const defName = definitionNameForKind(model, r.group, r.version, r.kind);
  const listKind = r.listKind ?? r.kind + 'List';
  const listDef = definitionNameForKind(model, r.group, r.version, listKind);
  const definitions = new Set<string>([META + 'Status', META + 'DeleteOptions', META + 'Patch']);
  if (defName) definitions.add(defName);
  if (listDef) definitions.add(listDef);
  const verbs = new Set(verbsOf(r));
  const subresources = new Set(r.subresources ?? []);
  const gvId = groupVersionIdentifier(r.group, r.version);
  const tag = groupVersionTag(r.group, r.version);
  const prefix = '/' + groupVersionPath(r.group, r.version);
  const nsPath = r.namespaced ? '/namespaces/{namespace}' : '';
  const scoped = (r.namespaced ? 'Namespaced' : '') + r.kind;
  const collection = `${prefix}${nsPath}/${r.resource}`;
  const item = `${collection}/{name}`;
  const namespaceParam: Param = { name: 'namespace', in: 'path', type: 'string', required: true, description: 'object name and auth scope, such as for teams and projects' };
  const nameParam = (what: string): Param => ({ name: 'name', in: 'path', type: 'string', required: true, description: `name of the ${what}` });
  const scopeParams = r.namespaced ? [namespaceParam] : [];
  const objectBody = defName ?? '';
  const ok = (body?: string): Response => ({ code: '200', description: 'OK', body });
  const created = (body?: string): Response => ({ code: '201', description: 'Created', body });
  const accepted = (body?: string): Response => ({ code: '202', description: 'Accepted', body });
  const unauthorized: Response = { code: '401', description: 'Unauthorized' };
  const op = (o: Omit<Operation, 'tag' | 'gvk' | 'produces'> & { gvk?: Gvk; produces?: string[] }): Operation =>
    ({ tag, gvk, produces: OBJECT_MEDIA, ...o });
  const items: PathItem[] = [];

  // Collection: list, create, deletecollection.
  const collectionOps: Operation[] = [];
  if (verbs.has('list')) collectionOps.push(op({
    method: 'get', operationId: `list${gvId}${scoped}`, action: 'list', description: `List or watch objects of kind ${r.kind}.`,
    params: LIST_PARAMS, responses: [ok(listDef), unauthorized], produces: LIST_MEDIA,
  }));
  if (verbs.has('create')) collectionOps.push(op({
    method: 'post', operationId: `create${gvId}${scoped}`, action: 'post', description: `Create a ${r.kind}.`,
    params: WRITE_PARAMS, body: { definition: objectBody, required: true },
    responses: [ok(defName), created(defName), accepted(defName), unauthorized],
  }));
  if (verbs.has('deletecollection')) collectionOps.push(op({
    method: 'delete', operationId: `delete${gvId}Collection${scoped}`, action: 'deletecollection',
    description: `Delete a collection of ${r.kind} objects.`, params: DELETECOLLECTION_PARAMS,
    body: { definition: META + 'DeleteOptions', required: false }, responses: [ok(META + 'Status'), unauthorized],
  }));
  if (collectionOps.length) items.push({ path: collection, params: [...scopeParams, P.pretty], operations: collectionOps });

  // Item: get, replace, patch, delete.
  const itemOps: Operation[] = [];
  if (verbs.has('get')) itemOps.push(op({
    method: 'get', operationId: `read${gvId}${scoped}`, action: 'get', description: `Read the specified ${r.kind}.`,
    params: [], responses: [ok(defName), unauthorized],
  }));
  if (verbs.has('update')) itemOps.push(op({
    method: 'put', operationId: `replace${gvId}${scoped}`, action: 'put', description: `Replace the specified ${r.kind}.`,
    params: WRITE_PARAMS, body: { definition: objectBody, required: true }, responses: [ok(defName), created(defName), unauthorized],
  }));
  if (verbs.has('delete')) itemOps.push(op({
    method: 'delete', operationId: `delete${gvId}${scoped}`, action: 'delete', description: `Delete a ${r.kind}.`,
    params: DELETE_PARAMS, body: { definition: META + 'DeleteOptions', required: false },
    responses: [ok(META + 'Status'), accepted(META + 'Status'), unauthorized],
  }));
  if (verbs.has('patch')) itemOps.push(op({
    method: 'patch', operationId: `patch${gvId}${scoped}`, action: 'patch', description: `Partially update the specified ${r.kind}.`,
    params: PATCH_PARAMS, body: { definition: META + 'Patch', required: true, patch: true },
    responses: [ok(defName), created(defName), unauthorized],
  }));
  if (itemOps.length) items.push({ path: item, params: [nameParam(r.kind), ...scopeParams, P.pretty], operations: itemOps });

  // Subresources.
  const getPutPatch = (sub: string, suffix: string, subGvk: Gvk, subDef: string | undefined, what: string): PathItem => ({
    path: `${item}/${sub}`,
    params: [nameParam(what), ...scopeParams, P.pretty],
    operations: [
      op({ method: 'get', operationId: `read${gvId}${scoped}${suffix}`, action: 'get', gvk: subGvk,
        description: `Read ${sub} of the specified ${r.kind}.`, params: [], responses: [ok(subDef), unauthorized] }),
      op({ method: 'put', operationId: `replace${gvId}${scoped}${suffix}`, action: 'put', gvk: subGvk,
        description: `Replace ${sub} of the specified ${r.kind}.`, params: WRITE_PARAMS,
        body: { definition: subDef ?? '', required: true }, responses: [ok(subDef), created(subDef), unauthorized] }),
      op({ method: 'patch', operationId: `patch${gvId}${scoped}${suffix}`, action: 'patch', gvk: subGvk,
        description: `Partially update ${sub} of the specified ${r.kind}.`, params: PATCH_PARAMS,
        body: { definition: META + 'Patch', required: true, patch: true }, responses: [ok(subDef), created(subDef), unauthorized] }),
    ],
  });
  if (subresources.has('status')) items.push(getPutPatch('status', 'Status', gvk, defName, r.kind));
  if (subresources.has('scale')) {
    const scaleDef = definitionNameForKind(model, 'autoscaling', 'v1', 'Scale');
    if (scaleDef) definitions.add(scaleDef);
    items.push(getPutPatch('scale', 'Scale', { group: 'autoscaling', version: 'v1', kind: 'Scale' }, scaleDef, 'Scale'));
  }
  const createSub = (sub: string, suffix: string, subGvk: Gvk, what: string): void => {
    const subDef = definitionNameForKind(model, subGvk.group, subGvk.version, subGvk.kind);
    if (subDef) definitions.add(subDef);
    items.push({
      path: `${item}/${sub}`, params: [nameParam(what), ...scopeParams, P.pretty],
      operations: [op({ method: 'post', operationId: `create${gvId}${scoped}${suffix}`, action: 'post', gvk: subGvk,
        description: `Create ${sub} of a ${r.kind}.`, params: WRITE_PARAMS, body: { definition: subDef ?? '', required: true },
        responses: [ok(subDef), created(subDef), accepted(subDef), unauthorized] })],
    });
  };
  if (subresources.has('binding')) createSub('binding', 'Binding', { group: '', version: 'v1', kind: 'Binding' }, 'Binding');
  if (subresources.has('eviction')) createSub('eviction', 'Eviction', { group: 'policy', version: 'v1', kind: 'Eviction' }, 'Eviction');
  if (subresources.has('log')) {
    items.push({
      path: `${item}/log`, params: [nameParam(r.kind), ...scopeParams, P.pretty],
      operations: [op({ method: 'get', operationId: `read${gvId}${scoped}Log`, action: 'get',
        description: `Read the log of the specified ${r.kind}.`,
        params: [
          q('container', 'string', 'The container whose log to stream; optional when the pod has one container.'),
          q('follow', 'boolean', 'Keep streaming the log as it grows.'),
          q('insecureSkipTLSVerifyBackend', 'boolean', 'Skip verifying the kubelet\'s serving certificate.'),
          q('limitBytes', 'integer', 'Stop after this many bytes.'),
          q('previous', 'boolean', 'Read the log of the previous, terminated instance of the container.'),
          q('sinceSeconds', 'integer', 'Only lines newer than this many seconds.'),
          q('stream', 'string', 'Which stream to read: "All", "Stdout" or "Stderr".'),
          q('tailLines', 'integer', 'Only the last this many lines.'),
          q('timestamps', 'boolean', 'Prefix every line with an RFC3339 timestamp.'),
        ],
        responses: [ok('string'), unauthorized], produces: ['text/plain', 'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'] })],
    });
  }
  const streamParams: Record<string, Param[]> = {
    exec: [
      q('command', 'string', 'The command to run (repeat the parameter for each argument).'),
      q('container', 'string', 'The container to run in; optional when the pod has one container.'),
      q('stderr', 'boolean', 'Return the command\'s stderr.'), q('stdin', 'boolean', 'Send stdin to the command.'),
      q('stdout', 'boolean', 'Return the command\'s stdout.'), q('tty', 'boolean', 'Allocate a terminal.'),
    ],
    attach: [
      q('container', 'string', 'The container to attach to; optional when the pod has one container.'),
      q('stderr', 'boolean', 'Return stderr.'), q('stdin', 'boolean', 'Send stdin.'),
      q('stdout', 'boolean', 'Return stdout.'), q('tty', 'boolean', 'The container was started with a terminal.'),
    ],
    portforward: [q('ports', 'integer', 'The pod ports to forward (repeat for several).')],
  };
  const optionsKind: Record<string, string> = { exec: 'PodExecOptions', attach: 'PodAttachOptions', portforward: 'PodPortForwardOptions' };
  for (const sub of ['exec', 'attach', 'portforward']) {
    if (!subresources.has(sub)) continue;
    const suffix = sub === 'portforward' ? 'Portforward' : sub.charAt(0).toUpperCase() + sub.slice(1);
    const subGvk: Gvk = { group: r.group, version: r.version, kind: optionsKind[sub] };
    items.push({
      path: `${item}/${sub}`, params: [nameParam(optionsKind[sub]), ...scopeParams, ...streamParams[sub]],
      operations: (['get', 'post'] as const).map((method) => op({
        method, operationId: `connect${gvId}${method === 'get' ? 'Get' : 'Post'}${scoped}${suffix}`, action: 'connect', gvk: subGvk,
        description: `Connect ${method.toUpperCase()} requests to ${sub} of ${r.kind}.`, params: [],
        responses: [ok('string'), unauthorized], produces: ['*/*'],
      })),
    });
  }

  // Lists across namespaces.
  if (r.namespaced && verbs.has('list')) {
    items.push({
      path: `${prefix}/${r.resource}`, params: [P.pretty],
      operations: [op({ method: 'get', operationId: `list${gvId}${r.kind}ForAllNamespaces`, action: 'list',
        description: `List or watch objects of kind ${r.kind} in every namespace.`, params: LIST_PARAMS,
        responses: [ok(listDef), unauthorized], produces: LIST_MEDIA })],
    });
  }
  return { items, definitions };
}
