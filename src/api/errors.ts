// One error type for the whole system: its payload is a Kubernetes Status (DESIGN.md §3 "Errors").
// The HTTP layer writes `status` as is; the client rebuilds the same class from a Status body, so callers
// branch on `reason`, never on message text.

export interface StatusCause { reason?: string; message?: string; field?: string }
export interface StatusDetails {
  name?: string; group?: string; kind?: string; uid?: string;
  causes?: StatusCause[]; retryAfterSeconds?: number;
}
export interface Status {
  kind: 'Status'; apiVersion: 'v1'; metadata: Record<string, unknown>;
  status: 'Failure' | 'Success'; message?: string; reason?: string; details?: StatusDetails; code: number;
}

const STATUS_FIELDS = ['kind', 'apiVersion', 'metadata', 'status', 'message', 'reason', 'details', 'code'] as const;
const DETAILS_FIELDS = ['name', 'group', 'kind', 'uid', 'causes', 'retryAfterSeconds'] as const;
const CAUSE_FIELDS = ['reason', 'message', 'field'] as const;

function ordered(o: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (o[f] !== undefined) out[f] = o[f];
  for (const [k, v] of Object.entries(o)) if (!(k in out) && v !== undefined) out[k] = v;
  return out;
}

/**
 * A Status serialized with its fields in upstream's order (Go's struct order: kind, apiVersion, metadata, status,
 * message, reason, details, code; details: name, group, kind, uid, causes, retryAfterSeconds), since some clients
 * compare error bodies exactly. Whatever order the fields were set in.
 */
export function statusJSON(s: Status): Record<string, unknown> {
  const out = ordered(s as unknown as Record<string, unknown>, STATUS_FIELDS);
  if (s.details) {
    const details = ordered(s.details as Record<string, unknown>, DETAILS_FIELDS);
    if (s.details.causes) details.causes = s.details.causes.map((c) => ordered(c as Record<string, unknown>, CAUSE_FIELDS));
    out.details = details;
  }
  return out;
}

/** Gives `s` a (non-enumerable) toJSON writing statusJSON's order, so JSON.stringify anywhere gets it right. */
export function withUpstreamFieldOrder(s: Status): Status {
  Object.defineProperty(s, 'toJSON', { value: () => statusJSON(s), enumerable: false });
  return s;
}

/** Identifies a resource in error messages the way upstream does: `deployments.apps "x"` / `pods "x"`. */
export interface ResourceRef { group?: string; resource: string }
function qualified(ref: ResourceRef): string { return ref.group ? `${ref.resource}.${ref.group}` : ref.resource; }

export class StatusError extends Error {
  readonly status: Status;
  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'StatusError';
    this.status = withUpstreamFieldOrder({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
    if (details) this.status.details = details;
  }
  get code(): number { return this.status.code; }
  get reason(): string { return this.status.reason ?? ''; }

  /** Rebuilds the error from a Status body received over the wire. */
  static fromStatus(s: Partial<Status>, httpCode?: number): StatusError {
    return new StatusError(s.code ?? httpCode ?? 500, s.reason ?? 'Unknown', s.message ?? '', s.details);
  }
}

export const notFound = (ref: ResourceRef, name: string) =>
  new StatusError(404, 'NotFound', `${qualified(ref)} "${name}" not found`, { name, group: ref.group, kind: ref.resource });
export const alreadyExists = (ref: ResourceRef, name: string) =>
  new StatusError(409, 'AlreadyExists', `${qualified(ref)} "${name}" already exists`, { name, group: ref.group, kind: ref.resource });
export const conflict = (ref: ResourceRef, name: string, why: string) =>
  new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(ref)} "${name}": ${why}`, { name, group: ref.group, kind: ref.resource });
/** 422 with field causes. `kind` is the Kind (e.g. "Deployment"), as upstream puts it in the message. */
export function invalid(kind: string, group: string | undefined, name: string, causes: FieldError[]): StatusError {
  const msgs = causes.map((c) => c.toString());
  const message = `${kind}${group ? '.' + group : ''} "${name}" is invalid: ${msgs.length === 1 ? msgs[0] : '[' + msgs.join(', ') + ']'}`;
  return new StatusError(422, 'Invalid', message, {
    name: name || undefined, group: group || undefined, kind: kind || undefined,
    causes: causes.map((c) => ({ reason: c.type, message: c.detailMessage(), field: c.field })),
  });
}
export const badRequest = (message: string) => new StatusError(400, 'BadRequest', message);
export const unauthorized = () => new StatusError(401, 'Unauthorized', 'Unauthorized');
export const forbidden = (message: string) => new StatusError(403, 'Forbidden', message);
/** upstream's NewForbidden: `pods "x" is forbidden: <why>` (no name: `pods is forbidden: <why>`). */
export const forbiddenResource = (ref: ResourceRef, name: string | undefined, why: string) =>
  new StatusError(403, 'Forbidden', `${qualified(ref)}${name ? ` "${name}"` : ''} is forbidden: ${why}`, { name: name || undefined, group: ref.group || undefined, kind: ref.resource });
/**
 * A write an admission policy denied (upstream's admission.NewForbidden with the policy's reason and its code, the
 * message repeated as the one cause): `deployments.apps "x" is forbidden: <why>`, 422 for Invalid, 403 Forbidden,
 * 413 RequestEntityTooLarge, 401 Unauthorized.
 */
export function policyDenied(ref: ResourceRef, name: string | undefined, reason: string, why: string): StatusError {
  const code = ({ Forbidden: 403, Unauthorized: 401, RequestEntityTooLarge: 413 } as Record<string, number>)[reason] ?? 422;
  return new StatusError(code, reason, `${qualified(ref)}${name ? ` "${name}"` : ''} is forbidden: ${why}`,
    { name: name || undefined, group: ref.group || undefined, kind: ref.resource, causes: [{ message: why }] });
}
/** A 404 that names no object: an unknown path ("the server could not find the requested resource"), or `message`. */
export const notFoundError = (message = 'the server could not find the requested resource', details: StatusDetails = {}) =>
  new StatusError(404, 'NotFound', message, details);
/** 405 for a verb a resource does not serve (upstream's NewMethodNotSupported). */
export const methodNotSupported = (ref: ResourceRef, verb: string) =>
  new StatusError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualified(ref)}"`);
export const methodNotAllowed = (message: string) => new StatusError(405, 'MethodNotAllowed', message);
export const notAcceptable = (message: string) => new StatusError(406, 'NotAcceptable', message);
/** 409 for a server-side apply that conflicts with other field managers (upstream's NewApplyConflict). */
export const applyConflict = (message: string, causes: StatusCause[]) => new StatusError(409, 'Conflict', message, { causes });
export const gone = (message: string) => new StatusError(410, 'Expired', message);
export const requestEntityTooLarge = (message: string) => new StatusError(413, 'RequestEntityTooLarge', message);
export const unsupportedMediaType = (type: string, message = 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf') =>
  new StatusError(415, 'UnsupportedMediaType', message, { kind: type });
export const tooManyRequests = (message: string, retryAfterSeconds = 1) =>
  new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds });
export const internal = (message = 'an internal error occurred') => new StatusError(500, 'InternalError', `Internal error occurred: ${message}`);
export const serviceUnavailable = (message: string) => new StatusError(503, 'ServiceUnavailable', message);
export const timeout = (message: string, retryAfterSeconds?: number) =>
  new StatusError(504, 'Timeout', message, retryAfterSeconds === undefined ? undefined : { retryAfterSeconds });

const reasonForCode: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  406: 'NotAcceptable', 409: 'Conflict', 410: 'Expired', 413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType',
  422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};
/**
 * An error known only by its HTTP code (upstream's NewGenericServerResponse): the reason is the code's, `Unknown`
 * for a code without one. The client uses it for a non-Status error body; the patch handler for upstream's errors
 * that carry a code and a message but no reason of their own.
 */
export const genericServerResponse = (code: number, message: string, details?: StatusDetails) =>
  new StatusError(code, reasonForCode[code] ?? 'Unknown', message, details);

/**
 * The server's one boundary from anything thrown to a Status: a StatusError as it is; anything else a 500 that
 * carries nothing of what was thrown (no message, no stack), so internals never reach a client. Log the original.
 */
export const toStatusError = (e: unknown): StatusError => (e instanceof StatusError ? e : internal());

const has = (e: unknown, reason: string) => e instanceof StatusError && e.reason === reason;
export const isBadRequest = (e: unknown) => has(e, 'BadRequest');
export const isUnauthorized = (e: unknown) => has(e, 'Unauthorized');
export const isForbidden = (e: unknown) => has(e, 'Forbidden');
export const isNotFound = (e: unknown) => has(e, 'NotFound');
export const isMethodNotAllowed = (e: unknown) => has(e, 'MethodNotAllowed');
export const isNotAcceptable = (e: unknown) => has(e, 'NotAcceptable');
export const isAlreadyExists = (e: unknown) => has(e, 'AlreadyExists');
export const isConflict = (e: unknown) => has(e, 'Conflict');
export const isGone = (e: unknown) => e instanceof StatusError && (e.reason === 'Expired' || e.reason === 'Gone' || e.code === 410);
export const isRequestEntityTooLarge = (e: unknown) => has(e, 'RequestEntityTooLarge');
export const isUnsupportedMediaType = (e: unknown) => has(e, 'UnsupportedMediaType');
export const isInvalid = (e: unknown) => has(e, 'Invalid');
export const isTooManyRequests = (e: unknown) => has(e, 'TooManyRequests');
export const isInternalError = (e: unknown) => has(e, 'InternalError');
export const isServiceUnavailable = (e: unknown) => has(e, 'ServiceUnavailable');
export const isTimeout = (e: unknown) => has(e, 'Timeout');

/** A validation error on one field, formatted like k8s.io/apimachinery/pkg/util/validation/field.Error. */
export class FieldError {
  constructor(
    readonly type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueDuplicate' | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueTooLong',
    readonly field: string,
    readonly value: unknown,
    readonly detail: string,
  ) {}
  static required(field: string, detail = '') { return new FieldError('FieldValueRequired', field, undefined, detail); }
  static invalid(field: string, value: unknown, detail: string) { return new FieldError('FieldValueInvalid', field, value, detail); }
  static duplicate(field: string, value: unknown) { return new FieldError('FieldValueDuplicate', field, value, ''); }
  static forbidden(field: string, detail: string) { return new FieldError('FieldValueForbidden', field, undefined, detail); }
  static notSupported(field: string, value: unknown, valid: string[]) {
    return new FieldError('FieldValueNotSupported', field, value, `supported values: ${valid.map((v) => `"${v}"`).join(', ')}`);
  }
  private typeText(): string {
    return { FieldValueRequired: 'Required value', FieldValueInvalid: 'Invalid value', FieldValueDuplicate: 'Duplicate value',
      FieldValueNotSupported: 'Unsupported value', FieldValueForbidden: 'Forbidden', FieldValueTooLong: 'Too long' }[this.type];
  }
  detailMessage(): string {
    if (this.type === 'FieldValueRequired' || this.type === 'FieldValueForbidden') return this.detail ? `${this.typeText()}: ${this.detail}` : this.typeText();
    const v = typeof this.value === 'string' ? JSON.stringify(this.value) : JSON.stringify(this.value ?? null);
    return `${this.typeText()}: ${v}${this.detail ? ': ' + this.detail : ''}`;
  }
  toString(): string { return `${this.field}: ${this.detailMessage()}`; }
}
