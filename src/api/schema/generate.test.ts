import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { testSchemaModel } from './test-model.js';
import { createSchemaModel, definitionNameForKind } from './index.js';
import type { SchemaNode } from './types.js';

const model = testSchemaModel();
const def = (name: string): SchemaNode => {
  const d = model.definitions[name];
  assert.ok(d, `definition ${name} exists`);
  return d;
};

test('top-level kinds carry upstream names, group-version-kind and required fields', () => {
  const cases: [string, string, string, string, string[] | undefined][] = [
    ['apps', 'v1', 'Deployment', 'io.k8s.api.apps.v1.Deployment', undefined],
    ['', 'v1', 'Pod', 'io.k8s.api.core.v1.Pod', undefined],
    ['', 'v1', 'Service', 'io.k8s.api.core.v1.Service', undefined],
    ['', 'v1', 'ConfigMap', 'io.k8s.api.core.v1.ConfigMap', undefined],
    ['', 'v1', 'Secret', 'io.k8s.api.core.v1.Secret', undefined],
    ['apps', 'v1', 'DeploymentList', 'io.k8s.api.apps.v1.DeploymentList', ['items']],
  ];
  for (const [group, version, kind, name, required] of cases) {
    assert.equal(definitionNameForKind(model, group, version, kind), name);
    const node = def(name);
    assert.deepEqual(node['x-kubernetes-group-version-kind'], [{ group, version, kind }]);
    assert.deepEqual(node.required, required, `${name} required`);
    assert.equal(node.properties?.metadata?.ref?.endsWith(kind.endsWith('List') ? 'ListMeta' : 'ObjectMeta'), true);
  }
  assert.deepEqual(def('io.k8s.api.apps.v1.DeploymentSpec').required, ['selector', 'template']);
  assert.deepEqual(def('io.k8s.api.core.v1.PodSpec').required, ['containers']);
  assert.deepEqual(def('io.k8s.api.core.v1.Container').required, ['name']);
  assert.deepEqual(def('io.k8s.api.core.v1.ServicePort').required, ['port']);
  assert.equal(def('io.k8s.api.core.v1.Pod').description?.startsWith('Pod is a collection of containers'), true);
});

test('every ref in every definition resolves', () => {
  const visit = (node: SchemaNode, where: string): void => {
    if (node.ref !== undefined) assert.ok(model.definitions[node.ref], `${where} → ${node.ref}`);
    for (const [k, v] of Object.entries(node.properties ?? {})) visit(v, `${where}.${k}`);
    if (node.items) visit(node.items, where + '[]');
    if (typeof node.additionalProperties === 'object') visit(node.additionalProperties, where + '{}');
  };
  for (const [name, node] of Object.entries(model.definitions)) visit(node, name);
  assert.equal(model.resolve(def('io.k8s.api.apps.v1.Deployment').properties!.spec), def('io.k8s.api.apps.v1.DeploymentSpec'));
});

test('property types: int32/int64 integers, maps, arrays, IntOrString, Quantity, Time, free-form objects', () => {
  const spec = def('io.k8s.api.apps.v1.DeploymentSpec').properties!;
  assert.deepEqual({ type: spec.replicas.type, format: spec.replicas.format }, { type: 'integer', format: 'int32' });
  const meta = def('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta').properties!;
  assert.equal(meta.generation.format, 'int64');
  assert.deepEqual(meta.labels.additionalProperties, { type: 'string' });
  assert.equal(meta.creationTimestamp.ref, 'io.k8s.apimachinery.pkg.apis.meta.v1.Time');
  assert.deepEqual({ ...def('io.k8s.apimachinery.pkg.apis.meta.v1.Time'), description: undefined },
    { type: 'string', format: 'date-time', description: undefined });
  const podSpec = def('io.k8s.api.core.v1.PodSpec').properties!;
  assert.equal(podSpec.terminationGracePeriodSeconds.format, 'int64');
  assert.equal(podSpec.containers.type, 'array');
  assert.equal(podSpec.containers.items?.ref, 'io.k8s.api.core.v1.Container');
  const rolling = def('io.k8s.api.apps.v1.RollingUpdateDeployment').properties!;
  assert.equal(rolling.maxSurge.ref, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  assert.equal(def('io.k8s.apimachinery.pkg.util.intstr.IntOrString')['x-kubernetes-int-or-string'], true);
  const limits = def('io.k8s.api.core.v1.ResourceRequirements').properties!.limits;
  assert.equal((limits.additionalProperties as SchemaNode).ref, 'io.k8s.apimachinery.pkg.api.resource.Quantity');
  assert.equal(def('io.k8s.apimachinery.pkg.runtime.RawExtension')['x-kubernetes-preserve-unknown-fields'], true);
  assert.equal(def('io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1')['x-kubernetes-preserve-unknown-fields'], true);
  assert.deepEqual(def('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps').properties!.maximum,
    { ...def('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps').properties!.maximum, type: 'number', format: 'double' });
});

test('patch metadata from upstream is merged: merge keys, list types, retainKeys, atomic structs', () => {
  const podSpec = def('io.k8s.api.core.v1.PodSpec').properties!;
  assert.equal(podSpec.containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(podSpec.containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(podSpec.containers['x-kubernetes-list-type'], 'map');
  assert.equal(podSpec.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  assert.equal(podSpec.tolerations['x-kubernetes-list-type'], 'atomic');
  assert.equal(podSpec.hostAliases['x-kubernetes-patch-merge-key'], 'ip');
  const container = def('io.k8s.api.core.v1.Container').properties!;
  assert.equal(container.ports['x-kubernetes-patch-merge-key'], 'containerPort');
  assert.deepEqual(container.ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  assert.equal(container.env['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(container.volumeMounts['x-kubernetes-patch-merge-key'], 'mountPath');
  const svc = def('io.k8s.api.core.v1.ServiceSpec').properties!;
  assert.deepEqual(svc.ports['x-kubernetes-list-map-keys'], ['port', 'protocol']);
  assert.equal(svc.ports['x-kubernetes-patch-merge-key'], 'port');
  const meta = def('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta').properties!;
  assert.equal(meta.finalizers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(meta.finalizers['x-kubernetes-list-type'], 'set');
  assert.equal(meta.ownerReferences['x-kubernetes-patch-merge-key'], 'uid');
  assert.equal(def('io.k8s.api.apps.v1.DeploymentSpec').properties!.strategy['x-kubernetes-patch-strategy'], 'retainKeys');
  assert.equal(def('io.k8s.api.apps.v1.DeploymentStatus').properties!.conditions['x-kubernetes-patch-merge-key'], 'type');
  assert.equal(def('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector')['x-kubernetes-map-type'], 'atomic');
});

test('the build step writes the definitions file loadSchemaModel reads', async () => {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'generate.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanokube-schema-'));
  try {
    const out = path.join(dir, 'definitions.json');
    await promisify(execFile)(process.execPath, [script, '--out', out]);
    const written = createSchemaModel(JSON.parse(fs.readFileSync(out, 'utf8')));
    assert.deepEqual(written.definitions, model.definitions);
    assert.ok(written.forKind('apps', 'v1', 'Deployment'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the type model is Kubernetes 1.32: its new fields and kinds are there, and versions it no longer serves are gone', () => {
  const podSpec = def('io.k8s.api.core.v1.PodSpec').properties!;
  assert.equal(podSpec.resources.ref, 'io.k8s.api.core.v1.ResourceRequirements', 'pod-level resources (1.32)');
  assert.equal(def('io.k8s.api.core.v1.Volume').properties!.image.ref, 'io.k8s.api.core.v1.ImageVolumeSource', 'image volumes (1.31)');
  assert.equal(def('io.k8s.api.core.v1.PodSecurityContext').properties!.supplementalGroupsPolicy.type, 'string');
  assert.deepEqual(Object.keys(def('io.k8s.api.core.v1.PodResourceClaim').properties!).sort(), ['name', 'resourceClaimName', 'resourceClaimTemplateName']);
  assert.deepEqual(def('io.k8s.api.core.v1.HostAlias').required, ['ip']);
  assert.equal(definitionNameForKind(model, 'resource.k8s.io', 'v1beta1', 'ResourceClaim'), 'io.k8s.api.resource.v1beta1.ResourceClaim');
  assert.equal(definitionNameForKind(model, 'apiregistration.k8s.io', 'v1', 'APIService'), 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService');
  assert.equal(model.definitions['io.k8s.api.resource.v1alpha2.ResourceClaim'], undefined);
  assert.equal(model.definitions['io.k8s.api.flowcontrol.v1beta3.FlowSchema'], undefined);
  assert.equal(def('io.k8s.api.resource.v1beta1.DeviceCapacity').properties!.value.ref, 'io.k8s.apimachinery.pkg.api.resource.Quantity');
  assert.ok(model.definitions['io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement']);
  assert.equal(def('io.k8s.api.core.v1.ContainerStatus').properties!.allocatedResourcesStatus.description?.startsWith('AllocatedResourcesStatus'), true);
});

test('fields with a fixed set of values carry upstream\'s enum, on the list items for lists', () => {
  assert.deepEqual(def('io.k8s.api.core.v1.Container').properties!.imagePullPolicy.enum, ['Always', 'IfNotPresent', 'Never']);
  assert.deepEqual(def('io.k8s.api.core.v1.PodSpec').properties!.restartPolicy.enum, ['Always', 'Never', 'OnFailure']);
  assert.deepEqual(def('io.k8s.api.core.v1.PersistentVolumeClaimSpec').properties!.accessModes.items?.enum,
    ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod']);
  assert.equal(def('io.k8s.api.core.v1.Container').properties!.name.enum, undefined);
});
