import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alreadyExists, applyConflict, badRequest, conflict, FieldError, forbidden, genericServerResponse, gone, internal, invalid,
  isAlreadyExists, isBadRequest, isConflict, isForbidden, isGone, isInternalError, isInvalid, isMethodNotAllowed,
  isNotAcceptable, isNotFound, isRequestEntityTooLarge, isServiceUnavailable, isTimeout, isTooManyRequests,
  isUnauthorized, isUnsupportedMediaType, methodNotAllowed, methodNotSupported, notAcceptable, notFound, notFoundError,
  requestEntityTooLarge, serviceUnavailable, StatusError, timeout, toStatusError, tooManyRequests, unauthorized,
  unsupportedMediaType,
} from './errors.js';
import { errorResponse } from './transport.js';

const ref = { group: 'apps', resource: 'deployments' };

test('every reason has a constructor with upstream\'s code and a predicate that recognises it (and only it)', () => {
  const cases: [StatusError, number, string, (e: unknown) => boolean][] = [
    [badRequest('x'), 400, 'BadRequest', isBadRequest],
    [unauthorized(), 401, 'Unauthorized', isUnauthorized],
    [forbidden('x'), 403, 'Forbidden', isForbidden],
    [notFound(ref, 'web'), 404, 'NotFound', isNotFound],
    [notFoundError(), 404, 'NotFound', isNotFound],
    [methodNotSupported(ref, 'watch'), 405, 'MethodNotAllowed', isMethodNotAllowed],
    [methodNotAllowed('x'), 405, 'MethodNotAllowed', isMethodNotAllowed],
    [notAcceptable('x'), 406, 'NotAcceptable', isNotAcceptable],
    [alreadyExists(ref, 'web'), 409, 'AlreadyExists', isAlreadyExists],
    [conflict(ref, 'web', 'modified'), 409, 'Conflict', isConflict],
    [applyConflict('Apply failed with 1 conflict', [{ reason: 'FieldManagerConflict', field: '.spec.replicas' }]), 409, 'Conflict', isConflict],
    [gone('too old'), 410, 'Expired', isGone],
    [requestEntityTooLarge('x'), 413, 'RequestEntityTooLarge', isRequestEntityTooLarge],
    [unsupportedMediaType('text/plain'), 415, 'UnsupportedMediaType', isUnsupportedMediaType],
    [invalid('Deployment', 'apps', 'web', [FieldError.required('spec.selector')]), 422, 'Invalid', isInvalid],
    [tooManyRequests('x'), 429, 'TooManyRequests', isTooManyRequests],
    [internal('x'), 500, 'InternalError', isInternalError],
    [serviceUnavailable('x'), 503, 'ServiceUnavailable', isServiceUnavailable],
    [timeout('x', 1), 504, 'Timeout', isTimeout],
  ];
  const predicates = [...new Set(cases.map((c) => c[3]))];
  for (const [err, code, reason, is] of cases) {
    assert.equal(err.code, code, reason);
    assert.equal(err.reason, reason);
    assert.equal(err.status.kind, 'Status');
    assert.ok(is(err), `${reason} is recognised by its predicate`);
    for (const other of predicates) if (other !== is) assert.equal(other(err), false, `${reason} is not ${other.name}`);
  }
});

test('an error known only by its HTTP code gets the code\'s reason, Unknown for a code without one', () => {
  assert.ok(isTimeout(genericServerResponse(504, 'slow')));
  assert.ok(isInvalid(genericServerResponse(422, 'bad patch')));
  assert.equal(genericServerResponse(418, 'teapot').reason, 'Unknown');
});

test('anything but a StatusError becomes a bare 500 that carries nothing of what was thrown', () => {
  const secret = new Error('password=hunter2 at /etc/nanokube/secret');
  const err = toStatusError(secret);
  assert.ok(isInternalError(err));
  assert.equal(err.message, 'Internal error occurred: an internal error occurred');
  const res = errorResponse(secret);
  assert.equal(res.status, 500);
  assert.doesNotMatch(String(res.body), /hunter2|secret|at /);
  assert.deepEqual(JSON.parse(String(res.body)), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Internal error occurred: an internal error occurred', reason: 'InternalError', code: 500 });
  const known = conflict(ref, 'web', 'modified');
  assert.equal(toStatusError(known), known);
  assert.deepEqual(JSON.parse(String(errorResponse(known).body)), known.status);
  assert.equal(errorResponse(known).status, 409);
});
