// The request/response shape the apiserver handles, independent of HTTP. The HTTP server adapts node's
// IncomingMessage/ServerResponse to it; the in-process client transport calls the same handler directly, so both
// paths cross the same serialization boundary (bytes in, bytes out) and behave identically.
import { toStatusError } from './errors.js';

/** Who sent a request, as authentication (or impersonation) established it (upstream's user.Info). */
export interface UserInfo { username: string; groups: string[]; uid?: string; extra?: Record<string, string[]> }

export interface ApiRequest {
  method: string;                       // GET, POST, PUT, PATCH, DELETE
  /** Path without query, e.g. /apis/apps/v1/namespaces/default/deployments/flask-app/scale */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body?: Buffer;
  user?: UserInfo;
  /** The peer's address (HTTPS callers; in-process callers have none). */
  remoteAddress?: string;
  /** Aborted when the client goes away (ends watches and log follows). */
  signal?: AbortSignal;
  /** Annotations for the request's audit event, filled by admission; present only while the request is audited. */
  auditAnnotations?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** A complete body, or */
  body?: Buffer | string;
  /** a stream of chunks (watch events, followed logs); ends when the server ends it or the request signal aborts. */
  stream?: AsyncIterable<Buffer | string>;
}

export type ApiHandler = (req: ApiRequest) => Promise<ApiResponse>;

/**
 * A copy of `req` with `changes`. A signal the HTTP server makes only on first use (a getter: most requests never
 * need one) stays made on use: spreading the request would read it, making an AbortController and a 'close'
 * listener for every request.
 */
export function requestWith(req: ApiRequest, changes: Partial<ApiRequest>): ApiRequest {
  if (!Object.getOwnPropertyDescriptor(req, 'signal')?.get) return { ...req, ...changes };
  const copy: Record<string, unknown> = {};
  for (const k of Object.keys(req)) if (k !== 'signal') copy[k] = req[k as keyof ApiRequest];
  Object.defineProperty(copy, 'signal', { get: () => req.signal, enumerable: true, configurable: true });
  return Object.assign(copy as unknown as ApiRequest, changes);
}

/**
 * The server side's one answer to an error: a StatusError as its Status, anything else as a 500 that carries none
 * of its internals (toStatusError). The apiserver's handler and the in-process transport both answer through it.
 */
export function errorResponse(e: unknown): ApiResponse {
  const err = toStatusError(e);
  return { status: err.code, headers: { 'content-type': 'application/json' }, body: JSON.stringify(err.status) };
}
