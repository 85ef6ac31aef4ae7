import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRouteTable, pathMatches, requestHost, route } from './routes.js';

const be = (service: string, number = 80) => ({ service: { name: service, port: { number } } });
const ing = (name: string, spec: any, created = '2026-01-01T00:00:00Z') => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'default', creationTimestamp: created }, spec });

test('Prefix paths match element by element, as upstream documents', () => {
  const cases: Array<[string, string, boolean]> = [
    ['/', '/anything', true], ['/foo', '/foo', true], ['/foo', '/foo/', true], ['/foo/', '/foo', true],
    ['/foo/bar', '/foo/bar/baz', true], ['/foo/bar', '/foo/barbaz', false], ['/aaa/bbb', '/aaa/bbbxyz', false], ['/aaa', '/ccc', false],
  ];
  for (const [p, req, want] of cases) assert.equal(pathMatches('Prefix', p, req), want, `${p} vs ${req}`);
  assert.equal(pathMatches('Exact', '/foo', '/foo'), true);
  assert.equal(pathMatches('Exact', '/foo', '/foo/'), false);
});

test('the longest matching path wins, Exact before Prefix at equal length; hosts precise, then one-label wildcard, then any', () => {
  const table = buildRouteTable([
    ing('a', { rules: [
      { host: 'foo.example.com', http: { paths: [
        { path: '/', pathType: 'Prefix', backend: be('root') },
        { path: '/api', pathType: 'Prefix', backend: be('api') },
        { path: '/api/v2', pathType: 'ImplementationSpecific', backend: be('v2') },
        { path: '/api', pathType: 'Exact', backend: be('exact') },
      ] } },
      { host: '*.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: be('wild') }] } },
      { http: { paths: [{ path: '/only', pathType: 'Exact', backend: be('anyhost') }] } },
    ] }),
  ]);
  const svc = (host: string, path: string) => route(table, host, path).backend?.service;
  assert.equal(svc('foo.example.com', '/x'), 'root');
  assert.equal(svc('foo.example.com', '/api/x'), 'api');
  assert.equal(svc('foo.example.com', '/api'), 'exact');
  assert.equal(svc('foo.example.com', '/api/v2/users?q=1'), 'v2');
  assert.equal(svc('bar.example.com', '/x'), 'wild');
  assert.equal(svc('a.b.example.com', '/only'), 'anyhost', 'a wildcard covers one label only');
  assert.equal(svc('example.com', '/only'), 'anyhost');
  assert.equal(svc('other.test', '/x'), undefined);
  assert.deepEqual(route(table, 'other.test', '/x'), { backend: undefined, reason: 'no-rule' });
});

test('requests no rule matches go to a defaultBackend; Host headers lose their port', () => {
  const table = buildRouteTable([
    ing('old', { defaultBackend: be('fallback') }, '2026-01-01T00:00:00Z'),
    ing('new', { defaultBackend: be('hostdefault'), rules: [{ host: 'h.test', http: { paths: [{ path: '/a', pathType: 'Exact', backend: be('a') }] } }] }, '2026-01-02T00:00:00Z'),
  ]);
  assert.equal(route(table, 'h.test', '/b').backend?.service, 'hostdefault');
  assert.equal(route(table, 'x.test', '/b').backend?.service, 'fallback');
  assert.equal(requestHost('H.Test:8080'), 'h.test');
  assert.equal(requestHost('[::1]:80'), '[::1]');
});
