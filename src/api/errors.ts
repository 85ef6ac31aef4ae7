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

/** Identifies a resource in error messages the way upstream does: `deployments.apps "x"` / `pods "x"`. */
export interface ResourceRef { group?: string; resource: string }
function qualified(ref: ResourceRef): string { return ref.group ? `${ref.resource}.${ref.group}` : ref.resource; }

export class StatusError extends Error {
  readonly status: Status;
  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'StatusError';
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
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
    name, group, kind,
    causes: causes.map((c) => ({ reason: c.type, message: c.detailMessage(), field: c.field })),
  });
}
export const badRequest = (message: string) => new StatusError(400, 'BadRequest', message);
export const gone = (message: string) => new StatusError(410, 'Expired', message);
export const tooManyRequests = (message: string, retryAfterSeconds = 1) =>
  new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds });
export const methodNotSupported = (ref: ResourceRef, verb: string) =>
  new StatusError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualified(ref)}"`);
export const unsupportedMediaType = (type: string) =>
  new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`, { kind: type });
export const requestEntityTooLarge = (message: string) => new StatusError(413, 'RequestEntityTooLarge', message);
export const unauthorized = () => new StatusError(401, 'Unauthorized', 'Unauthorized');
export const forbidden = (message: string) => new StatusError(403, 'Forbidden', message);
export const internal = (message = 'an internal error occurred') => new StatusError(500, 'InternalError', `Internal error occurred: ${message}`);

const has = (e: unknown, reason: string) => e instanceof StatusError && e.reason === reason;
export const isNotFound = (e: unknown) => has(e, 'NotFound');
export const isAlreadyExists = (e: unknown) => has(e, 'AlreadyExists');
export const isConflict = (e: unknown) => has(e, 'Conflict');
export const isInvalid = (e: unknown) => has(e, 'Invalid');
export const isGone = (e: unknown) => e instanceof StatusError && (e.reason === 'Expired' || e.reason === 'Gone' || e.code === 410);
export const isTooManyRequests = (e: unknown) => has(e, 'TooManyRequests');

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
