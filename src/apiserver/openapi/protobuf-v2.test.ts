import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testSchemaModel } from '../../api/schema/test-model.js';
import { ProtoReader, WireType } from '../protobuf/wire.js';
import { RESOURCES } from './test-resources.js';
import { openapiV2, openapiV2Protobuf } from './index.js';

const options = { model: testSchemaModel() };

/** One message's fields: field number → its values (length-delimited as Buffers, varints as numbers). */
function fields(buf: Buffer): Map<number, (Buffer | number)[]> {
  const out = new Map<number, (Buffer | number)[]>();
  const r = new ProtoReader(buf);
  while (!r.eof()) {
    const { field, wireType } = r.tag();
    let v: Buffer | number;
    if (wireType === WireType.LengthDelimited) v = r.bytes();
    else if (wireType === WireType.Varint) v = Number(r.uint64());
    else if (wireType === WireType.Fixed64) v = Number(r.fixed64());
    else throw new Error(`unexpected wire type ${wireType}`);
    out.set(field, [...(out.get(field) ?? []), v]);
  }
  return out;
}
const one = (m: Map<number, (Buffer | number)[]>, f: number): Buffer => m.get(f)![0] as Buffer;
const str = (m: Map<number, (Buffer | number)[]>, f: number): string | undefined => (m.get(f)?.[0] as Buffer | undefined)?.toString();
const strs = (m: Map<number, (Buffer | number)[]>, f: number): string[] => (m.get(f) ?? []).map((b) => b.toString());
/** repeated Named* {name = 1; value = 2} → name → value fields. */
const named = (list: (Buffer | number)[] | undefined): Map<string, Map<number, (Buffer | number)[]>> =>
  new Map((list ?? []).map((b) => { const n = fields(b as Buffer); return [str(n, 1)!, fields(one(n, 2))]; }));

test('/openapi/v2 in protobuf is the JSON document as a gnostic openapi.v2.Document, and decodes back to it', () => {
  const json = JSON.parse(openapiV2(RESOURCES, options).body) as Record<string, any>;
  const pb = openapiV2Protobuf(RESOURCES, options);
  assert.equal(pb.etag, openapiV2(RESOURCES, options).etag);
  const doc = fields(pb.body);
  assert.equal(str(doc, 1), '2.0');
  assert.equal(str(fields(one(doc, 2)), 2), json.info.version);

  // definitions (9): every schema, with its description, type, required, properties and vendor extensions.
  const defs = named(fields(one(doc, 9)).get(1));
  assert.deepEqual([...defs.keys()], Object.keys(json.definitions));
  const deployment = defs.get('io.k8s.api.apps.v1.Deployment')!;
  const jd = json.definitions['io.k8s.api.apps.v1.Deployment'];
  assert.equal(str(deployment, 4), jd.description);
  assert.deepEqual(strs(fields(one(deployment, 22)), 1), ['object']);
  const props = named(fields(one(deployment, 25)).get(1));
  assert.deepEqual([...props.keys()], Object.keys(jd.properties));
  assert.equal(str(props.get('spec')!, 1), '#/definitions/io.k8s.api.apps.v1.DeploymentSpec');
  const ext = named(deployment.get(31));
  assert.deepEqual(JSON.parse(str(ext.get('x-kubernetes-group-version-kind')!, 2)!), jd['x-kubernetes-group-version-kind']);
  const podSpec = named(fields(one(defs.get('io.k8s.api.core.v1.PodSpec')!, 25)).get(1));
  const containers = podSpec.get('containers')!;
  assert.equal(str(fields(one(fields(one(containers, 23)), 1)), 1), '#/definitions/io.k8s.api.core.v1.Container');
  assert.equal(JSON.parse(str(named(containers.get(31)).get('x-kubernetes-patch-merge-key')!, 2)!), 'name');
  assert.deepEqual(strs(defs.get('io.k8s.api.core.v1.Container')!, 19), ['name']);
  const labels = named(fields(one(defs.get('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')!, 25)).get(1)).get('labels')!;
  assert.deepEqual(strs(fields(one(fields(one(labels, 21)), 1)), 22).length, 1, 'additionalProperties holds a schema');

  // paths (8): operations with their parameters and responses.
  const paths = named(fields(one(doc, 8)).get(2));
  assert.deepEqual([...paths.keys()], Object.keys(json.paths));
  const item = paths.get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!;
  const patch = fields(one(item, 8));
  assert.equal(str(patch, 5), json.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch.operationId);
  assert.deepEqual(strs(patch, 7), json.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch.consumes);
  const body = fields(one(fields(one(fields((patch.get(8)![0] as Buffer)), 1)), 1));
  assert.equal(str(body, 2), 'body');
  assert.equal(str(body, 3), 'body');
  const query = patch.get(8)!.slice(1).map((b) => fields(one(fields(one(fields(one(fields(b as Buffer), 1)), 2)), 3)));
  assert.ok(query.some((q) => str(q, 4) === 'fieldValidation' && str(q, 2) === 'query'));
  const responses = named(fields(one(patch, 9)).get(1));
  assert.ok(responses.has('200'));
  assert.equal(JSON.parse(str(named(patch.get(13)).get('x-kubernetes-action')!, 2)!), 'patch');
});
