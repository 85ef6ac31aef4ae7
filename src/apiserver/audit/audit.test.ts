import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createAuditor, fileAuditBackend } from './audit.js';
import { decodeBody } from '../negotiation.js';
import { jsonResponse } from '../handlers/context.js';
import { DEFAULT_POLICY_YAML, evaluatePolicy, parsePolicy } from './policy.js';
import type { ApiRequest } from '../../api/transport.js';

const policy = parsePolicy(DEFAULT_POLICY_YAML);
const admin = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
const req = (method: string, path: string, body?: unknown, user = admin): ApiRequest => ({
  method, path, query: new URLSearchParams(), headers: { 'content-type': 'application/json', 'user-agent': 'kubectl/v1.32.2' },
  body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)), user, remoteAddress: '10.0.0.7',
});

test('the default policy: Secrets, ConfigMaps and TokenRequests at Metadata, reads at Request, other writes at RequestResponse, heartbeats not at all', () => {
  const level = (verb: string, group: string, resource: string, subresource?: string, user = admin) => evaluatePolicy(policy, { user, verb, resource: { group, resource, subresource, namespace: 'default' } }).level;
  assert.equal(level('create', '', 'secrets'), 'Metadata');
  assert.equal(level('get', '', 'configmaps'), 'Metadata');
  assert.equal(level('create', '', 'serviceaccounts', 'token'), 'Metadata');
  assert.equal(level('create', 'authentication.k8s.io', 'tokenreviews'), 'Metadata');
  assert.equal(level('list', '', 'pods'), 'Request');
  assert.equal(level('create', 'apps', 'deployments'), 'RequestResponse');
  assert.equal(level('update', 'coordination.k8s.io', 'leases'), 'None');
  assert.equal(level('watch', '', 'pods', undefined, { username: 'system:kube-scheduler', groups: [] }), 'None');
  assert.equal(evaluatePolicy(policy, { user: admin, verb: 'get', path: '/healthz' }).level, 'None');
  assert.deepEqual(evaluatePolicy(policy, { user: admin, verb: 'create', resource: { group: 'apps', resource: 'deployments' } }).omitStages, ['RequestReceived']);
});

test('an event has upstream\'s shape; a Secret is never logged above Metadata even when the policy asks for more', async () => {
  const events: any[] = [];
  const everything = parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n');
  const auditor = createAuditor({ policy: everything, backend: { write: (e) => events.push(e), close: async () => undefined }, clock: () => new Date('2026-01-01T00:00:00.123Z') });
  const handler = auditor.wrap(async (r) => ({ status: 201, headers: { 'content-type': 'application/json' }, body: r.body }));
  await handler(req('POST', '/api/v1/namespaces/default/secrets', { kind: 'Secret', metadata: { name: 's' }, data: { p: 'aHVudGVyMg==' } }));
  await handler(req('POST', '/apis/apps/v1/namespaces/default/deployments', { kind: 'Deployment', metadata: { name: 'd' } }));
  const [secret, deploy] = events;
  assert.equal(secret.level, 'Metadata');
  assert.equal(JSON.stringify(secret).includes('aHVudGVyMg=='), false);
  assert.deepEqual({ ...secret, auditID: undefined }, {
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: undefined, stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/default/secrets', verb: 'create', user: admin, sourceIPs: ['10.0.0.7'], userAgent: 'kubectl/v1.32.2',
    objectRef: { resource: 'secrets', namespace: 'default', apiVersion: 'v1', name: 's' }, responseStatus: { metadata: {}, code: 201 },
    requestReceivedTimestamp: '2026-01-01T00:00:00.123000Z', stageTimestamp: '2026-01-01T00:00:00.123000Z',
  });
  assert.equal(deploy.level, 'RequestResponse');
  assert.deepEqual(deploy.objectRef, { resource: 'deployments', namespace: 'default', apiGroup: 'apps', apiVersion: 'v1', name: 'd' });
  assert.equal(deploy.requestObject.metadata.name, 'd');
  assert.equal(deploy.responseObject.metadata.name, 'd');
  const asJane = req('GET', '/api/v1/namespaces/default/pods');
  asJane.headers['impersonate-user'] = 'jane';
  asJane.headers['impersonate-group'] = 'devs, qa';
  await handler(asJane);
  const impersonated = events.pop();
  assert.equal(impersonated.user.username, 'kubernetes-admin');
  assert.deepEqual(impersonated.impersonatedUser, { username: 'jane', groups: ['devs', 'qa'] });
  auditor.recordRejected(req('GET', '/api/v1/pods', undefined, undefined as any), 401, 'Unauthorized');
  assert.deepEqual(events[2].responseStatus, { metadata: {}, code: 401, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized' });
  assert.equal(events[2].user.username, 'system:anonymous');
});

test('the audit log line is the event as JSON, the request and response bodies in it as the objects they were, whatever their text looked like', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-audit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const everything = parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n');
  const clock = () => new Date('2026-01-01T00:00:00.123Z');
  // The same requests through an auditor writing the log file and one handing its events over as objects.
  const file = fileAuditBackend(join(dir, 'audit.log'));
  const events: any[] = [];
  const handler = (auditor: ReturnType<typeof createAuditor>) => auditor.wrap(async (r) => {
    const { value } = await decodeBody(r.body, r.headers['content-type']);
    return jsonResponse(201, { ...value, status: { note: 'line\nbreak \u2028 "quoted"' } });
  });
  const toFile = handler(createAuditor({ policy: everything, backend: file, clock }));
  const toObjects = handler(createAuditor({ policy: everything, backend: { write: (e) => events.push(e), close: async () => undefined }, clock }));
  const texts = [
    '{"kind":"ConfigMap","metadata":{"name":"compact"}}',
    '{"kind":"ConfigMap","metadata":{"name":"go-encoder"}}\n',
    '{\n  "kind": "ConfigMap",\n  "metadata": {"name": "pretty", "labels": {"a": "1.0"}}, "data": {"n": "\\u00e9\\n"}\n}\n',
    'kind: ConfigMap\nmetadata:\n  name: yaml-sent-as-json\n',
  ];
  for (const [i, text] of texts.entries()) {
    for (const h of [toFile, toObjects]) {
      const r = req('POST', '/api/v1/namespaces/default/configmaps');
      r.body = Buffer.from(text);
      r.headers['audit-id'] = `id-${i}`;
      assert.equal((await h(r)).status, 201);
    }
  }
  await file.close();
  const lines = readFileSync(join(dir, 'audit.log'), 'utf8').split('\n');
  assert.equal(lines.pop(), '');
  assert.equal(lines.length, texts.length);
  lines.forEach((line, i) => {
    assert.deepEqual(JSON.parse(line), JSON.parse(JSON.stringify(events[i])));
    assert.deepEqual(Object.keys(JSON.parse(line)), Object.keys(events[i]));
  });
  assert.deepEqual(events.map((e) => e.objectRef.name), ['compact', 'go-encoder', 'pretty', 'yaml-sent-as-json']);
  assert.deepEqual(events[2].requestObject, JSON.parse(texts[2]));
  assert.equal(events[3].requestObject, undefined);
  assert.equal(events[3].responseObject.metadata.name, 'yaml-sent-as-json');
  assert.equal(events[0].responseObject.status.note, 'line\nbreak \u2028 "quoted"');
});

test('the audit log file rotates by size into audit/ beside it, keeping only the newest backups, each line whole and private', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-audit-rotate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = fileAuditBackend(join(dir, 'audit.log'), { maxSize: '2K', maxBackups: 2 });
  const line = JSON.stringify({ kind: 'Event', pad: 'x'.repeat(200) });
  for (let i = 0; i < 60; i++) {
    file.writeLine!(line.replace('Event', `Event-${i}`));
    if (i % 5 === 4) await new Promise((r) => setImmediate(r)); // as a server's requests come, between other work
  }
  await file.close();
  const backups = readdirSync(join(dir, 'audit')).filter((f) => f.endsWith('.log'));
  assert.equal(backups.length, 2, `only the two newest backups are kept: ${backups.join(', ')}`);
  for (const b of backups) assert.match(b, /^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log$/);
  const all = [...backups.sort().map((b) => join(dir, 'audit', b)), join(dir, 'audit.log')];
  const lines = all.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
  for (const l of lines) assert.equal(JSON.parse(l).pad.length, 200, 'no line is cut in two');
  assert.ok(lines.length < 60, 'older lines went with the removed backups');
  assert.match(lines[lines.length - 1], /Event-59/, 'the newest line is the last one kept');
  for (const f of all) assert.equal(statSync(f).mode & 0o777, 0o600, `${f} is readable by its owner only`);
});
