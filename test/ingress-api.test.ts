// networking.k8s.io/v1 Ingress and IngressClass as kubectl 1.32 uses them: discovery and the short name `ing`,
// `kubectl create ingress` (a protobuf body), upstream's validation messages, the DefaultIngressClass admission,
// the status subresource, the printed columns and `kubectl explain`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from './helpers/cluster.js';

const defaultClass = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: house
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: example.com/house-controller
  parameters: { apiGroup: k8s.example.com, kind: IngressParameters, name: external-lb }
`;

test('kubectl creates Ingresses and IngressClasses; an Ingress naming no class gets the default class; columns as upstream', async (t) => {
  const c = await startTestCluster(t, { components: false });
  let r = await c.kubectl(['apply', '-f', '-'], { input: defaultClass });
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['get', 'ingressclass']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^NAME\s+CONTROLLER\s+PARAMETERS\s+AGE\nhouse\s+example\.com\/house-controller\s+k8s\.example\.com\/IngressParameters\/external-lb\s+\S+\n$/);
  const ic = JSON.parse((await c.kubectl(['get', 'ingressclass', 'house', '-o', 'json'])).stdout);
  assert.equal(ic.spec.parameters.scope, 'Cluster', 'parameters default to the Cluster scope');

  // kubectl create ingress sends protobuf; no --class, so admission fills in the default class.
  r = await c.kubectl(['create', 'ingress', 'web', '--rule=foo.example.com/api*=api:80', '--rule=bar.example.com/=web:http,tls=bar-tls']);
  assert.equal(r.code, 0, r.stderr);
  const ing = JSON.parse((await c.kubectl(['get', 'ing', 'web', '-o', 'json'])).stdout);
  assert.equal(ing.spec.ingressClassName, 'house');
  assert.deepEqual(ing.spec.rules[0], { host: 'foo.example.com', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 80 } } } }] } });
  assert.deepEqual(ing.spec.rules[1].http.paths[0], { path: '/', pathType: 'Exact', backend: { service: { name: 'web', port: { name: 'http' } } } });
  assert.deepEqual(ing.spec.tls, [{ hosts: ['bar.example.com'], secretName: 'bar-tls' }]);
  assert.equal(ing.metadata.generation, 1);

  r = await c.kubectl(['create', 'ingress', 'other', '--class=else', '--default-backend=web:8080']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse((await c.kubectl(['get', 'ing', 'other', '-o', 'json'])).stdout).spec.ingressClassName, 'else', 'an explicit class is kept');

  // The status subresource: a main-resource write cannot set status, a status write sets only status.
  const st = await c.request('PUT', '/apis/networking.k8s.io/v1/namespaces/default/ingresses/web/status', {
    body: { ...ing, spec: { ...ing.spec, ingressClassName: 'changed' }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }, { ip: '192.0.2.11' }] } } } });
  assert.equal(st.status, 200, st.text);
  assert.equal(st.body.spec.ingressClassName, 'house');
  r = await c.kubectl(['patch', 'ing', 'web', '--type=merge', '-p', '{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.99"}]}}}']);
  assert.equal(r.code, 0, r.stderr); // a main-resource patch leaves status alone
  r = await c.kubectl(['get', 'ing']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\n/);
  assert.match(r.stdout, /\nother\s+else\s+\*\s+80\s+\S+\n/);
  assert.match(r.stdout, /\nweb\s+house\s+foo\.example\.com,bar\.example\.com\s+192\.0\.2\.10,19\.\.\.\s+80, 443\s+\S+\n/,
    'ADDRESS is cut to 16 characters as upstream; PORTS shows 443 with TLS');
  r = await c.kubectl(['get', 'ingresses.v1.networking.k8s.io', 'web', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}']);
  assert.equal(r.stdout, '192.0.2.10 192.0.2.11');

  // A second default class, created later, wins. creationTimestamp has whole seconds and a tie goes to the first
  // name (as upstream), so wait for the next second first.
  const houseCreated = Date.parse(ic.metadata.creationTimestamp);
  while (Date.now() < houseCreated + 1000) await new Promise((res) => setTimeout(res, 50));
  r = await c.kubectl(['apply', '-f', '-'], { input: defaultClass.replace('name: house', 'name: newer').replace(/  parameters.*\n/, '') });
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['create', 'ingress', 'third', '--rule=/x=web:80']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse((await c.kubectl(['get', 'ing', 'third', '-o', 'json'])).stdout).spec.ingressClassName, 'newer');

  r = await c.kubectl(['describe', 'ing', 'web']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Name:\s+web\n/);
  assert.match(r.stdout, /\nIngress Class:\s+house\n/);
  assert.match(r.stdout, /\n\s+foo\.example\.com\s*\n\s+\/api\s+api:80 \(<error: services "api" not found>\)/);

  r = await c.kubectl(['api-resources', '--api-group=networking.k8s.io', '--no-headers']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ingressclasses\s+networking\.k8s\.io\/v1\s+false\s+IngressClass\n/m);
  assert.match(r.stdout, /^ingresses\s+ing\s+networking\.k8s\.io\/v1\s+true\s+Ingress\n/m);
  r = await c.kubectl(['explain', 'ingress.spec.rules.http.paths.pathType']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /GROUP:\s+networking\.k8s\.io\nKIND:\s+Ingress\nVERSION:\s+v1\n\nFIELD: pathType <string>/);
});

test('Ingresses are validated as upstream: absolute paths, pathType, one backend kind, DNS hosts', async (t) => {
  const c = await startTestCluster(t, { components: false });
  const ingress = (spec: string) => `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: bad }\nspec:\n${spec}`;
  const cases: Array<[string, RegExp]> = [
    ['  rules: [{ http: { paths: [{ path: api, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }] } }]\n',
      /spec\.rules\[0\]\.http\.paths\[0\]\.path: Invalid value: "api": must be an absolute path/],
    ['  rules: [{ http: { paths: [{ path: /a, backend: { service: { name: web, port: { number: 80 } } } }] } }]\n',
      /spec\.rules\[0\]\.http\.paths\[0\]\.pathType: Required value: pathType must be specified/],
    ['  rules: [{ http: { paths: [{ path: /a//b, pathType: Exact, backend: { service: { name: web, port: { number: 80 } } } }] } }]\n',
      /must not contain '\/\/'/],
    ['  rules: [{ http: { paths: [{ path: /a, pathType: Prefix, backend: { service: { name: web } } }] } }]\n',
      /spec\.rules\[0\]\.http\.paths\[0\]\.backend: Required value: port name or number is required/],
    ['  defaultBackend: { service: { name: web, port: { number: 80 } }, resource: { kind: Bucket, name: b } }\n',
      /spec\.defaultBackend: Invalid value: "": cannot set both resource and service backends/],
    ['  rules: [{ host: 10.0.0.1, http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }] } }]\n',
      /spec\.rules\[0\]\.host: Invalid value: "10\.0\.0\.1": must be a DNS name, not an IP address/],
    ['  rules: [{ host: "*", http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }] } }]\n',
      /spec\.rules\[0\]\.host: Invalid value: "\*": a wildcard DNS-1123 subdomain must start with/],
    ['  tls: [{ hosts: [foo.example.com] }]\n', /spec: Invalid value: .*either `defaultBackend` or `rules` must be specified/],
  ];
  for (const [spec, message] of cases) {
    const r = await c.kubectl(['apply', '-f', '-'], { input: ingress(spec) });
    assert.notEqual(r.code, 0, spec);
    assert.match(r.stderr, message, spec);
  }
  const mismatch = await c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: m, annotations: { kubernetes.io/ingress.class: other } }\nspec: { ingressClassName: nanokube, defaultBackend: { service: { name: web, port: { number: 80 } } } }\n' });
  assert.match(mismatch.stderr, /annotations\.kubernetes\.io\/ingress\.class: Invalid value: "other": must match `ingressClassName` when both are specified/);
  const ok = await c.kubectl(['apply', '-f', '-'], { input: ingress('  rules: [{ host: "*.example.com", http: { paths: [{ pathType: ImplementationSpecific, backend: { service: { name: web, port: { name: http } } } }] } }]\n') });
  assert.equal(ok.code, 0, ok.stderr);
  const ic = await c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: { name: c }\nspec: { controller: nodomain }\n' });
  assert.match(ic.stderr, /spec\.controller: Invalid value: "nodomain": must be a domain-prefixed path/);
  await c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: { name: c }\nspec: { controller: a.io/b }\n' });
  const change = await c.kubectl(['patch', 'ingressclass', 'c', '--type=merge', '-p', '{"spec":{"controller":"a.io/c"}}']);
  assert.match(change.stderr, /spec\.controller: Invalid value: "a\.io\/c": field is immutable/);
});
