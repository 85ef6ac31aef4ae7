import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKubernetesProtobuf, isKubernetesProtobuf } from './decode.js';
import { decodableKinds } from './schema.js';
import { StatusError } from '../../api/errors.js';

// --- a tiny protobuf writer for fixtures. Field numbers in the fixtures below are written out by hand from
// upstream's generated.proto files, independently of schema.ts, so a wrong number in the table fails a test.
const varint = (n: number | bigint): Buffer => {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return Buffer.from(out);
};
const key = (field: number, wireType: number) => varint((field << 3) | wireType);
const bytesField = (field: number, b: Buffer) => Buffer.concat([key(field, 2), varint(b.length), b]);
const str = (field: number, s: string) => bytesField(field, Buffer.from(s, 'utf8'));
const msg = (field: number, ...parts: Buffer[]) => bytesField(field, Buffer.concat(parts));
const int = (field: number, n: number | bigint) => Buffer.concat([key(field, 0), varint(n)]);
const bool = (field: number, b: boolean) => int(field, b ? 1 : 0);
const entry = (field: number, k: string, v: string) => msg(field, str(1, k), str(2, v));
const intOrString = (field: number, v: number | string) =>
  typeof v === 'number' ? msg(field, int(1, 0), int(2, v)) : msg(field, int(1, 1), str(3, v));
const envelope = (apiVersion: string, kind: string, raw: Buffer) => Buffer.concat([
  Buffer.from('k8s\0', 'latin1'),
  msg(1, str(1, apiVersion), str(2, kind)), bytesField(2, raw), str(3, ''), str(4, ''),
]);

function statusOf(fn: () => unknown): { code: number; reason: string; message: string } {
  try { fn(); } catch (e) {
    assert.ok(e instanceof StatusError, `expected a StatusError, got ${String(e)}`);
    return { code: e.code, reason: e.reason, message: e.message };
  }
  assert.fail('expected the decode to throw');
}

// Bodies captured from kubectl v1.32.4 against a throwaway server (see kubectl-contract.md §1.5 for the first).
const KUBECTL_BODIES = {
  secret: '6b3873000a0c0a0276311206536563726574121d0a110a017812001a0022002a0032003800420012060a01611201621a001a002200',
  configmap: '6b3873000a0f0a0276311209436f6e6669674d6170121b0a110a017912001a0022002a0032003800420012060a016b1201761a002200',
  // kubectl create deployment d --image=nginx --port=80 --replicas=0
  deployment: '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b0010a1b0a016412001a0022002a003200380042005a080a036170701201641282010800120a0a080a036170701201641a6a0a1a0a0012001a0022002a003200380042005a080a03617070120164124c122e0a056e67696e7812056e67696e782a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200',
  // kubectl create service nodeport np --tcp=5000:5000 --node-port=30002
  service: '6b3873000a0d0a027631120753657276696365126a0a1d0a026e7012001a0022002a003200380042005a090a0361707012026e7012450a200a09353030302d353030301203544350188827220708001088271a0028b2ea0112090a0361707012026e701a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200',
  namespace: '6b3873000a0f0a02763112094e616d657370616365121b0a130a036e733112001a0022002a0032003800420012001a020a001a002200',
  // kubectl create job j --image=busybox -- echo hi
  job: '6b3873000a0f0a0862617463682f763112034a6f621282010a110a016a12001a0022002a00320038004200126332610a100a0012001a0022002a00320038004200124d122a0a016a120762757379626f781a046563686f1a0268692a0042006a007200800100880100900100a201001a054e65766572320042004a0052005800600068008201008a01009a0100c201001a082000280030003a001a002200',
};
const hex = (h: string) => Buffer.from(h, 'hex');

test('the 53-byte Secret kubectl sends for `create secret generic x --from-literal=a=b` decodes to the JSON a JSON client sends', () => {
  const body = hex(KUBECTL_BODIES.secret);
  assert.equal(body.length, 53);
  const d = decodeKubernetesProtobuf(body);
  assert.equal(d.apiVersion, 'v1');
  assert.equal(d.kind, 'Secret');
  // Empty namespace/uid/resourceVersion, generation 0 and the zero creationTimestamp are on the wire but omitted.
  assert.deepEqual(d.object, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, data: { a: 'Yg==' } });
});

test('a ConfigMap keeps string data as strings, and binaryData as base64', () => {
  assert.deepEqual(decodeKubernetesProtobuf(hex(KUBECTL_BODIES.configmap)).object,
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y' }, data: { k: 'v' } });
  const raw = Buffer.concat([msg(1, str(1, 'bin')), entry(2, 'text', 'héllo'), msg(3, str(1, 'blob'), bytesField(2, Buffer.from([0, 255]))), bool(4, true)]);
  assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', raw)).object, {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bin' },
    data: { text: 'héllo' }, binaryData: { blob: 'AP8=' }, immutable: true,
  });
});

test('a Secret data key with an empty value is kept as an empty string', () => {
  const raw = Buffer.concat([msg(1, str(1, 's')), msg(2, str(1, 'empty')), entry(2, 'b', 'xyz'), str(3, 'Opaque')]);
  assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'Secret', raw)).object,
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { empty: '', b: 'eHl6' }, type: 'Opaque' });
});

test('kubectl create deployment --replicas=0 arrives with replicas: 0 (a pointer field), not a defaulted 1', () => {
  assert.deepEqual(decodeKubernetesProtobuf(hex(KUBECTL_BODIES.deployment)).object, {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'd', labels: { app: 'd' } },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'd' } },
      template: {
        metadata: { labels: { app: 'd' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] },
      },
    },
  });
});

test('kubectl create service nodeport arrives with its ports, integer targetPort and nodePort', () => {
  assert.deepEqual(decodeKubernetesProtobuf(hex(KUBECTL_BODIES.service)).object, {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'np', labels: { app: 'np' } },
    spec: {
      ports: [{ name: '5000-5000', protocol: 'TCP', port: 5000, targetPort: 5000, nodePort: 30002 }],
      selector: { app: 'np' }, type: 'NodePort',
    },
  });
});

test('kubectl create namespace and create job decode', () => {
  assert.deepEqual(decodeKubernetesProtobuf(hex(KUBECTL_BODIES.namespace)).object,
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } });
  assert.deepEqual(decodeKubernetesProtobuf(hex(KUBECTL_BODIES.job)).object, {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' },
    spec: { template: { spec: { containers: [{ name: 'j', image: 'busybox', command: ['echo', 'hi'] }], restartPolicy: 'Never' } } },
  });
});

test('a Deployment with env sources, resources, probes, volumes and a rolling update decodes field by field', () => {
  const container = Buffer.concat([
    str(1, 'web'), str(2, 'flask:1'), str(3, 'python'), str(4, 'app.py'),
    msg(6, str(1, 'http'), int(3, 5000), str(4, 'TCP')),                      // ContainerPort
    msg(19, str(1, 'CFG_'), msg(2, msg(1, str(1, 'app-config')))),            // EnvFromSource.configMapRef
    msg(7, str(1, 'MODE'), str(2, 'prod')),                                   // EnvVar
    msg(7, str(1, 'DB_PASSWORD'), msg(3, msg(4, msg(1, str(1, 'db-secret')), str(2, 'password')))), // secretKeyRef
    msg(7, str(1, 'POD_NAME'), msg(3, msg(1, str(1, 'v1'), str(2, 'metadata.name')))),              // fieldRef
    msg(8, msg(1, str(1, 'cpu'), msg(2, str(1, '500m'))), msg(2, str(1, 'memory'), msg(2, str(1, '64Mi')))), // resources
    msg(9, str(1, 'cache'), bool(2, false), str(3, '/cache')),                 // VolumeMount, readOnly false dropped
    msg(11, msg(1, msg(2, str(1, '/healthz'), intOrString(2, 'http'))), int(2, 5), int(4, 10)), // readinessProbe
    str(14, 'IfNotPresent'),
  ]);
  const podSpec = Buffer.concat([
    msg(1, str(1, 'cache'), msg(2, msg(2))),                                  // Volume emptyDir: {}
    msg(1, str(1, 'cfg'), msg(2, msg(19, msg(1, str(1, 'app-config')), int(3, 420)))), // configMap volume
    msg(2, container),
    str(3, 'Always'), int(4, 30), int(25, -5),                                // negative int32 on 10 bytes
    msg(14, int(4, 1000n), int(4, 2000n)),                                    // supplementalGroups, unpacked
  ]);
  const raw = Buffer.concat([
    msg(1, str(1, 'flask-app'), str(3, ''), int(7, 3), msg(8, int(1, 1700000000), int(2, 5)),
      entry(11, 'app', 'flask'),
      msg(13, str(5, 'v1'), str(1, 'Thing'), str(3, 'owner'), str(4, 'u-1'), bool(6, true))),
    msg(2,
      int(1, 2),
      msg(2, entry(1, 'app', 'flask'), msg(2, str(1, 'tier'), str(2, 'In'), str(3, 'web'), str(3, 'api'))),
      msg(3, msg(1, entry(11, 'app', 'flask')), msg(2, podSpec)),
      msg(4, str(1, 'RollingUpdate'), msg(2, intOrString(1, 0), intOrString(2, '25%'))),
      int(6, 10), int(9, 600)),
    msg(3),                                                                    // empty status
  ]);
  const { object } = decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', raw));
  assert.deepEqual(object, {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: {
      name: 'flask-app', generation: 3, creationTimestamp: '2023-11-14T22:13:20Z', labels: { app: 'flask' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Thing', name: 'owner', uid: 'u-1', controller: true }],
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'flask' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] },
      template: {
        metadata: { labels: { app: 'flask' } },
        spec: {
          volumes: [{ name: 'cache', emptyDir: {} }, { name: 'cfg', configMap: { name: 'app-config', defaultMode: 420 } }],
          containers: [{
            name: 'web', image: 'flask:1', command: ['python'], args: ['app.py'],
            ports: [{ name: 'http', containerPort: 5000, protocol: 'TCP' }],
            envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'app-config' } }],
            env: [
              { name: 'MODE', value: 'prod' },
              { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-secret', key: 'password' } } },
              { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
            ],
            resources: { limits: { cpu: '500m' }, requests: { memory: '64Mi' } },
            volumeMounts: [{ name: 'cache', mountPath: '/cache' }],
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 5, periodSeconds: 10 },
            imagePullPolicy: 'IfNotPresent',
          }],
          restartPolicy: 'Always', terminationGracePeriodSeconds: 30, priority: -5,
          securityContext: { supplementalGroups: [1000, 2000] },
        },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
    },
  });
});

test('packed repeated integers decode the same as unpacked ones', () => {
  const packed = bytesField(4, Buffer.concat([varint(1000), varint(2000)]));
  const raw = Buffer.concat([msg(1, str(1, 'p')), msg(2, msg(2, str(1, 'c'), str(2, 'busybox')), msg(14, packed))]);
  const spec = decodeKubernetesProtobuf(envelope('v1', 'Pod', raw)).object.spec as Record<string, unknown>;
  assert.deepEqual(spec.securityContext, { supplementalGroups: [1000, 2000] });
});

test('a Service targetPort decodes as a number or a port name', () => {
  const raw = Buffer.concat([
    msg(1, str(1, 'web')),
    msg(2,
      msg(1, str(1, 'http'), str(2, 'TCP'), int(3, 80), intOrString(4, 'http-alt')),
      msg(1, str(1, 'metrics'), int(3, 9090), intOrString(4, 9091)),
      msg(1, str(1, 'plain'), int(3, 8080), msg(4, int(1, 0), int(2, 0), str(3, ''))), // zero IntOrString: unset
      entry(2, 'app', 'web'), str(3, ''), str(4, 'ClusterIP'),
      msg(14, msg(1, int(1, 10800))), str(17, 'SingleStack')),
  ]);
  assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'Service', raw)).object, {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
    spec: {
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 'http-alt' },
        { name: 'metrics', port: 9090, targetPort: 9091 },
        { name: 'plain', port: 8080 },
      ],
      selector: { app: 'web' }, type: 'ClusterIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } }, ipFamilyPolicy: 'SingleStack',
    },
  });
});

test('a Scale to zero replicas keeps replicas: 0', () => {
  const raw = Buffer.concat([msg(1, str(1, 'web'), str(3, 'default')), msg(2, int(1, 0))]);
  assert.deepEqual(decodeKubernetesProtobuf(envelope('autoscaling/v1', 'Scale', raw)).object,
    { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 0 } });
});

test('managedFields carry their time and fieldsV1 as JSON', () => {
  const raw = Buffer.concat([msg(1, str(1, 'm'),
    msg(17, str(1, 'kubectl'), str(2, 'Update'), str(3, 'v1'), msg(4, int(1, 0x5f5e1000)), str(6, 'FieldsV1'),
      msg(7, str(1, '{"f:data":{"f:a":{}}}'))))]);
  assert.deepEqual((decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', raw)).object.metadata as Record<string, unknown>).managedFields, [{
    manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '2020-09-13T12:26:40Z',
    fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } },
  }]);
});

test('fields with numbers we do not know are skipped, whatever their wire type', () => {
  const raw = Buffer.concat([
    msg(1, str(1, 'x'), str(99, 'future')),
    int(50, 7),                                                   // varint
    Buffer.concat([key(51, 1), Buffer.alloc(8, 1)]),              // fixed64
    Buffer.concat([key(52, 5), Buffer.alloc(4, 2)]),              // fixed32
    msg(53, str(1, 'nested'), int(2, 3)),                          // unknown message
    entry(2, 'a', 'b'),
  ]);
  assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', raw)).object,
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } });
});

test('every decodable kind decodes an empty object to just its apiVersion and kind', () => {
  for (const gvk of decodableKinds()) {
    const i = gvk.lastIndexOf('/');
    const apiVersion = gvk.slice(0, i), kind = gvk.slice(i + 1);
    assert.deepEqual(decodeKubernetesProtobuf(envelope(apiVersion, kind, Buffer.alloc(0))).object, { apiVersion, kind });
    assert.deepEqual(decodeKubernetesProtobuf(envelope(apiVersion, kind, msg(1))).object, { apiVersion, kind });
  }
});

test('a body without the k8s magic is a 400 BadRequest', () => {
  const s = statusOf(() => decodeKubernetesProtobuf(Buffer.from('{"kind":"Secret"}')));
  assert.equal(s.code, 400);
  assert.equal(s.reason, 'BadRequest');
  assert.match(s.message, /magic/);
});

test('a truncated body is a 400 BadRequest, never a crash or a partial object', () => {
  const body = hex(KUBECTL_BODIES.secret);
  for (let n = 4; n < body.length; n++) {
    let result: unknown;
    try { result = decodeKubernetesProtobuf(body.subarray(0, n)); } catch (e) {
      assert.ok(e instanceof StatusError, `cut at ${n}: ${String(e)}`);
      assert.equal(e.code, 400, `cut at ${n}: ${e.message}`);
      continue;
    }
    // A cut exactly between top-level envelope fields leaves a well-formed (smaller) envelope: acceptable
    // only if it still carries the whole object.
    assert.deepEqual((result as { object: unknown }).object,
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, data: { a: 'Yg==' } }, `cut at ${n}`);
  }
});

test('a known field with the wrong wire type is a 400 BadRequest', () => {
  const raw = Buffer.concat([msg(1, int(1, 5))]); // ObjectMeta.name as a varint
  const s = statusOf(() => decodeKubernetesProtobuf(envelope('v1', 'Secret', raw)));
  assert.equal(s.code, 400);
  assert.match(s.message, /ObjectMeta\.name/);
});

test('a kind without a schema is a 415 UnsupportedMediaType that names the kind', () => {
  const s = statusOf(() => decodeKubernetesProtobuf(envelope('example.com/v1', 'Widget', msg(1, str(1, 'r')))));
  assert.equal(s.code, 415);
  assert.equal(s.reason, 'UnsupportedMediaType');
  assert.match(s.message, /example\.com\/v1, Kind=Widget/);
});

test('an envelope without apiVersion and kind is a 400 BadRequest', () => {
  const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), bytesField(2, msg(1, str(1, 'x')))]);
  assert.equal(statusOf(() => decodeKubernetesProtobuf(body)).code, 400);
});

test('isKubernetesProtobuf recognises the media type with or without parameters', () => {
  assert.equal(isKubernetesProtobuf('application/vnd.kubernetes.protobuf'), true);
  assert.equal(isKubernetesProtobuf('application/vnd.kubernetes.protobuf; charset=binary'), true);
  assert.equal(isKubernetesProtobuf('application/json'), false);
  assert.equal(isKubernetesProtobuf(undefined), false);
});
