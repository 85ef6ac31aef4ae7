// A small hand-built schema model for the patch tests, mirroring the shapes (and the patch/list extensions) of
// the real definitions: Deployment → PodSpec.containers merged by name, Container.ports keyed by
// (containerPort, protocol), Service ports by (port, protocol), DeploymentSpec.strategy with retainKeys,
// ObjectMeta.finalizers a merge set, LabelSelector atomic, tolerations atomic.
import type { SchemaModel, SchemaNode } from '../../api/schema/types.js';
import { createSchemaModel } from '../../api/schema/index.js';

const str: SchemaNode = { type: 'string' };
const int: SchemaNode = { type: 'integer' };
const stringMap: SchemaNode = { type: 'object', additionalProperties: str };
const intOrString: SchemaNode = { 'x-kubernetes-int-or-string': true };
const ref = (name: string, extra: Partial<SchemaNode> = {}): SchemaNode => ({ ref: name, ...extra });
const listOf = (name: string, extra: Partial<SchemaNode> = {}): SchemaNode => ({ type: 'array', items: { ref: name }, ...extra });
const gvk = (group: string, version: string, kind: string) => ({ 'x-kubernetes-group-version-kind': [{ group, version, kind }] });
const mergeBy = (key: string, ...more: string[]): Partial<SchemaNode> => ({
  'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': key,
  'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': [key, ...more],
});

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const CORE = 'io.k8s.api.core.v1.';
const APPS = 'io.k8s.api.apps.v1.';

const definitions: Record<string, SchemaNode> = {
  [META + 'ObjectMeta']: {
    type: 'object',
    properties: {
      name: str, namespace: str, uid: str, resourceVersion: str, generation: int, creationTimestamp: str,
      labels: stringMap, annotations: stringMap,
      finalizers: { type: 'array', items: str, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' },
      managedFields: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'atomic' },
    },
  },
  [META + 'LabelSelector']: {
    type: 'object', 'x-kubernetes-map-type': 'atomic',
    properties: { matchLabels: stringMap },
  },
  [APPS + 'Deployment']: {
    type: 'object', ...gvk('apps', 'v1', 'Deployment'),
    properties: { apiVersion: str, kind: str, metadata: ref(META + 'ObjectMeta'), spec: ref(APPS + 'DeploymentSpec'), status: { type: 'object', properties: { replicas: int } } },
  },
  [APPS + 'DeploymentSpec']: {
    type: 'object',
    properties: {
      replicas: int, selector: ref(META + 'LabelSelector'), template: ref(CORE + 'PodTemplateSpec'),
      strategy: ref(APPS + 'DeploymentStrategy', { 'x-kubernetes-patch-strategy': 'retainKeys' }),
    },
  },
  [APPS + 'DeploymentStrategy']: { type: 'object', properties: { type: str, rollingUpdate: ref(APPS + 'RollingUpdateDeployment') } },
  [APPS + 'RollingUpdateDeployment']: { type: 'object', properties: { maxSurge: intOrString, maxUnavailable: intOrString } },
  [CORE + 'PodTemplateSpec']: { type: 'object', properties: { metadata: ref(META + 'ObjectMeta'), spec: ref(CORE + 'PodSpec') } },
  [CORE + 'PodSpec']: {
    type: 'object',
    properties: {
      containers: listOf(CORE + 'Container', mergeBy('name')),
      volumes: listOf(CORE + 'Volume', { ...mergeBy('name'), 'x-kubernetes-patch-strategy': 'merge,retainKeys' }),
      tolerations: listOf(CORE + 'Toleration', { 'x-kubernetes-list-type': 'atomic' }),
      nodeSelector: { ...stringMap, 'x-kubernetes-map-type': 'atomic' },
      restartPolicy: str,
    },
  },
  [CORE + 'Container']: {
    type: 'object',
    properties: {
      name: str, image: str, imagePullPolicy: str,
      args: { type: 'array', items: str, 'x-kubernetes-list-type': 'atomic' },
      env: listOf(CORE + 'EnvVar', mergeBy('name')),
      ports: listOf(CORE + 'ContainerPort', mergeBy('containerPort', 'protocol')),
    },
  },
  [CORE + 'EnvVar']: { type: 'object', properties: { name: str, value: str } },
  [CORE + 'ContainerPort']: { type: 'object', properties: { name: str, containerPort: int, protocol: str } },
  [CORE + 'Volume']: { type: 'object', properties: { name: str, emptyDir: { type: 'object', properties: {} }, configMap: { type: 'object', properties: { name: str } } } },
  [CORE + 'Toleration']: { type: 'object', properties: { key: str, effect: str, value: str } },
  [CORE + 'Service']: {
    type: 'object', ...gvk('', 'v1', 'Service'),
    properties: { apiVersion: str, kind: str, metadata: ref(META + 'ObjectMeta'), spec: ref(CORE + 'ServiceSpec') },
  },
  [CORE + 'ServiceSpec']: {
    type: 'object',
    properties: {
      type: str, selector: { ...stringMap, 'x-kubernetes-map-type': 'atomic' },
      ports: listOf(CORE + 'ServicePort', mergeBy('port', 'protocol')),
    },
  },
  [CORE + 'ServicePort']: { type: 'object', properties: { name: str, port: int, targetPort: intOrString, nodePort: int, protocol: str } },
  [CORE + 'Secret']: {
    type: 'object', ...gvk('', 'v1', 'Secret'),
    properties: { apiVersion: str, kind: str, metadata: ref(META + 'ObjectMeta'), data: stringMap, type: str },
  },
  [CORE + 'ConfigMap']: {
    type: 'object', ...gvk('', 'v1', 'ConfigMap'),
    properties: { apiVersion: str, kind: str, metadata: ref(META + 'ObjectMeta'), data: stringMap },
  },
};

export const testModel: SchemaModel = createSchemaModel(definitions);
export const deploymentSchema = testModel.forKind('apps', 'v1', 'Deployment')!;
export const serviceSchema = testModel.forKind('', 'v1', 'Service')!;
export const secretSchema = testModel.forKind('', 'v1', 'Secret')!;
export const configMapSchema = testModel.forKind('', 'v1', 'ConfigMap')!;
