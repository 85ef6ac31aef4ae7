import test from 'node:test';
import assert from 'node:assert/strict';
import { certificateSigningRequests, csrCondition } from './strategy.js';
import { createCertificateRequest } from '../../../../pki/certificates.js';
import type { KubeObject } from '../../../../api/object.js';

const s = certificateSigningRequests.strategy;
const ctx = { list: async () => [], now: () => new Date(), dryRun: false, user: { username: 'jane', uid: 'u1', groups: ['devs', 'system:authenticated'] } };

test('a created CSR records who asked and starts with an empty status', async () => {
  const { csr } = await createCertificateRequest({ commonName: 'jane' });
  const obj: KubeObject = { metadata: { name: 'x' }, spec: { request: Buffer.from(csr).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], username: 'mallory', groups: ['system:masters'] },
    status: { certificate: 'Zm9v' } };
  await s.prepareForCreate!(obj, ctx);
  assert.equal(obj.spec.username, 'jane');
  assert.equal(obj.spec.uid, 'u1');
  assert.deepEqual(obj.spec.groups, ['devs', 'system:authenticated']);
  assert.deepEqual(obj.status, {});
  assert.deepEqual(await s.validate!(obj, ctx), []);
});

test('validation follows upstream: request, signerName, usages and expirationSeconds', async () => {
  const errs = await s.validate!({ metadata: { name: 'x' }, spec: { request: Buffer.from('nope').toString('base64'), signerName: 'example', usages: ['client auth', 'flying'], expirationSeconds: 60 } }, ctx);
  const text = errs.map((e) => `${e.field}: ${e.detail}`);
  assert.ok(text.includes('spec.request: PEM block type must be CERTIFICATE REQUEST'), text.join('\n'));
  assert.ok(text.some((t) => t.startsWith("spec.signerName: must be a fully qualified domain and path of the form 'example.com/signer-name'")));
  assert.ok(text.includes('spec.expirationSeconds: may not specify a duration less than 600 seconds (10 minutes)'));
  assert.ok(errs.some((e) => e.field === 'spec.usages[1]' && e.type === 'FieldValueNotSupported'));
});

test('approval conditions: Approved and Denied exclude each other and cannot be removed; the CONDITION column reads as kubectl shows it', async () => {
  const approved = { metadata: { name: 'x' }, spec: {}, status: { conditions: [{ type: 'Approved', status: 'True' }] } };
  const both = { metadata: { name: 'x' }, spec: {}, status: { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Denied', status: 'True' }] } };
  const errs = await s.validateUpdate!(both, approved, ctx);
  assert.ok(errs.some((e) => e.detail === 'Approved and Denied conditions are mutually exclusive'));
  const removed = await s.validateUpdate!({ metadata: { name: 'x' }, spec: {}, status: {} }, approved, ctx);
  assert.ok(removed.some((e) => e.detail === 'updates may not remove a condition of type "Approved"'));
  assert.equal(csrCondition({ metadata: {}, status: {} }), 'Pending');
  assert.equal(csrCondition({ metadata: {}, status: { conditions: [{ type: 'Approved' }], certificate: 'x' } }), 'Approved,Issued');
  assert.equal(csrCondition({ metadata: {}, status: { conditions: [{ type: 'Denied' }, { type: 'Failed' }] } }), 'Denied,Failed');
});
