import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { testSchemaModel } from './test-model.js';
import {
  unknownFields, strictDecodingErrors, strictDecodingErrorMessage, typeErrors, parseJsonKeepingDuplicates, JsonObjectEntries,
} from './field-validation.js';

const model = testSchemaModel();

// The seed course's manifests, verbatim (flask-deployment.yaml with envFrom, flask-service.yaml,
// db-secret.yaml, app-config.yaml).
const SEED_MANIFESTS = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: flask-app
spec:
  replicas: 2
  selector:
    matchLabels:
      app: flask-app
  template:
    metadata:
      labels:
        app: flask-app
    spec:
      containers:
      - name: flask-container
        image: your-dockerhub-username/flask-app:latest
        ports:
        - containerPort: 5000
        env:
        - name: DATABASE_HOST
          value: "db-service"
        - name: DATABASE_USER
          valueFrom:
            secretKeyRef:
              name: db-secret
              key: username
        - name: DATABASE_PASSWORD
          valueFrom:
            secretKeyRef:
              name: db-secret
              key: password
        envFrom:
        - configMapRef:
            name: app-config
---
apiVersion: v1
kind: Service
metadata:
  name: flask-service
spec:
  type: NodePort
  selector:
    app: flask-app
  ports:
    - protocol: TCP
      port: 5000
      targetPort: 5000
      nodePort: 30001
---
apiVersion: v1
kind: Secret
metadata:
  name: db-secret
type: Opaque
data:
  username: cG9zdGdyZXM=  # base64 encoded 'postgres'
  password: cGFzc3dvcmQ=  # base64 encoded 'password'
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  APP_ENV: "production"
  LOG_LEVEL: "info"
`;

function gvkOf(obj: { apiVersion: string; kind: string }): [string, string, string] {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  return [group, version, obj.kind];
}

test('the seed course manifests have no unknown fields and no type errors', () => {
  const docs = YAML.parseAllDocuments(SEED_MANIFESTS).map((d) => d.toJS());
  assert.equal(docs.length, 4);
  for (const obj of docs) {
    assert.deepEqual(unknownFields(model, ...gvkOf(obj), obj), [], obj.kind);
    assert.deepEqual(typeErrors(model, ...gvkOf(obj), obj), [], obj.kind);
    assert.deepEqual(strictDecodingErrors(model, { group: gvkOf(obj)[0], version: gvkOf(obj)[1], kind: obj.kind }, JSON.stringify(obj)), []);
  }
});

test('a misspelled container field is reported with its full path, as upstream does', () => {
  const [deployment] = YAML.parseAllDocuments(SEED_MANIFESTS).map((d) => d.toJS());
  deployment.spec.template.spec.containers[0].imagee = 'typo';
  deployment.metadata.lables = { a: 'b' };
  deployment.spec.foo = 1;
  assert.deepEqual(unknownFields(model, 'apps', 'v1', 'Deployment', deployment), [
    'metadata.lables',
    'spec.template.spec.containers[0].imagee',
    'spec.foo',
  ]);
});

test('maps, free-form fields and IntOrString values are not unknown fields', () => {
  const obj = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'x', labels: { anything: 'goes' }, annotations: { 'a/b': 'c' },
      managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }] },
    spec: { strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      selector: { matchLabels: { app: 'x' } },
      template: { spec: { containers: [{ name: 'c', resources: { limits: { cpu: 1, memory: '1Gi' } } }] } } },
  };
  assert.deepEqual(unknownFields(model, 'apps', 'v1', 'Deployment', obj), []);
  assert.deepEqual(typeErrors(model, 'apps', 'v1', 'Deployment', obj), []);
});

test('strict decoding errors list unknown and duplicate fields in document order with upstream wording', () => {
  const raw = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","labels":{"x":"1","x":"2"}},'
    + '"spec":{"replicas":1,"bogus":true,"replicas":2,"template":{"spec":{"containers":[{"name":"c","imagee":"i"}]}}}}';
  const errors = strictDecodingErrors(model, { group: 'apps', version: 'v1', kind: 'Deployment' }, raw);
  assert.deepEqual(errors, [
    'duplicate field "metadata.labels.x"',
    'unknown field "spec.bogus"',
    'duplicate field "spec.replicas"',
    'unknown field "spec.template.spec.containers[0].imagee"',
  ]);
  assert.equal(strictDecodingErrorMessage({ version: 'v1', kind: 'Deployment' }, errors.slice(1, 2)),
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.bogus"');
});

test('kinds the model does not know are not validated', () => {
  assert.deepEqual(unknownFields(model, 'example.com', 'v1', 'Widget', { spec: { anything: 1 } }), []);
});

test('type errors name the Go struct field and type as the apiserver does', () => {
  const obj = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a' },
    spec: { replicas: 'two', template: { spec: { containers: [{ name: 'c', image: 5 }] } } } };
  assert.deepEqual(typeErrors(model, 'apps', 'v1', 'Deployment', obj), [
    'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    'json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image of type string',
  ]);
  assert.deepEqual(typeErrors(model, '', 'v1', 'Pod', { spec: { containers: {} } }), [
    'json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container',
  ]);
});

test('the duplicate-keeping parser reads JSON like JSON.parse and rejects malformed input', () => {
  const parsed = parseJsonKeepingDuplicates('{"a":[1,2.5e3,"x\\"y",true,null,{}],"a":{"b":-1}}');
  assert.deepEqual(parsed, new JsonObjectEntries([
    ['a', [1, 2500, 'x"y', true, null, new JsonObjectEntries([])]],
    ['a', new JsonObjectEntries([['b', -1]])],
  ]));
  assert.throws(() => parseJsonKeepingDuplicates('{"a":1,}'), SyntaxError);
  assert.throws(() => parseJsonKeepingDuplicates('{"a":1} x'), SyntaxError);
});
