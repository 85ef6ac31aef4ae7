// Auditing (upstream's k8s.io/apiserver/pkg/audit): one audit.k8s.io/v1 Event per request at stage
// ResponseComplete (for watches and followed logs, when the stream ends), at the level the policy gives, written as
// one JSON line to the backend (<home>/audit.log). Metadata: who, what, from where, the outcome. Request adds the
// request body, RequestResponse the response body. Secrets are never logged above Metadata, whatever the policy says,
// so no Secret value ever reaches the log.
import { randomUUID } from 'node:crypto';
import { createWriteStream, chmodSync, type WriteStream } from 'node:fs';
import type { ApiHandler, ApiRequest, ApiResponse, UserInfo } from '../../api/transport.js';
import { parseResourcePath } from '../request-info.js';
import { evaluatePolicy, levelRank, type AuditLevel, type AuditPolicy } from './policy.js';

export const AUDIT_LOG_FILE = 'audit.log';

export interface AuditBackend { write(event: Record<string, unknown>): void; close(): Promise<void> }

/** Appends JSON lines to `path` (mode 0600). */
export function fileAuditBackend(path: string): AuditBackend {
  const stream: WriteStream = createWriteStream(path, { flags: 'a', mode: 0o600 });
  stream.on('error', () => undefined); // a full disk must not take the API server down
  try { chmodSync(path, 0o600); } catch { /* created on first write */ }
  return {
    write: (e) => { stream.write(JSON.stringify(e) + '\n'); },
    close: () => new Promise<void>((resolve) => stream.end(() => resolve())),
  };
}

/** Upstream's audit timestamps: RFC 3339 with microseconds. */
const micro = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** Where a request came from: X-Forwarded-For entries, then X-Real-Ip, then the peer, as upstream's utilnet.SourceIPs. */
function sourceIPs(req: ApiRequest): string[] {
  const out: string[] = [];
  for (const ip of (req.headers['x-forwarded-for'] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) out.push(ip);
  const real = req.headers['x-real-ip']?.trim();
  if (real && !out.includes(real)) out.push(real);
  if (req.remoteAddress && !out.includes(req.remoteAddress)) out.push(req.remoteAddress);
  return out;
}

function parseJson(body: Buffer | string | undefined, contentType: string | undefined): unknown {
  if (body === undefined || body.length === 0) return undefined;
  if (contentType && !contentType.includes('json')) return undefined;
  try { return JSON.parse(body.toString()); } catch { return undefined; }
}

/** Secrets and issued tokens: their content never reaches the log, whatever the policy says. */
function neverAboveMetadata(info: { group: string; resource: string; subresource?: string }): boolean {
  return (info.group === '' && (info.resource === 'secrets' || (info.resource === 'serviceaccounts' && info.subresource === 'token')))
    || (info.group === 'authentication.k8s.io' && info.resource === 'tokenreviews');
}

export interface AuditOptions { policy: AuditPolicy; backend: AuditBackend; clock?: () => Date }

export interface Auditor {
  /** The handler with auditing around it. */
  wrap(handler: ApiHandler): ApiHandler;
  /** Records a request turned away before the handler (401 from authentication). */
  recordRejected(req: ApiRequest, status: number, message: string): void;
}

export function createAuditor(opts: AuditOptions): Auditor {
  const clock = opts.clock ?? (() => new Date());

  function start(req: ApiRequest, user: UserInfo | undefined) {
    const received = clock();
    // A path the handler refuses (a malformed escape) is audited as a non-resource request; it must not throw here.
    let info: ReturnType<typeof parseResourcePath>;
    try { info = parseResourcePath(req.method, req.path, req.query); } catch { info = undefined; }
    const verb = info ? info.verb : req.method.toLowerCase();
    const u = user ?? { username: 'system:anonymous', groups: ['system:unauthenticated'] };
    let { level, omitStages } = evaluatePolicy(opts.policy, {
      user: u, verb,
      ...(info ? { resource: { group: info.group, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name: info.name } } : { path: req.path }),
    });
    if (info && neverAboveMetadata(info) && levelRank(level) > levelRank('Metadata')) level = 'Metadata';
    if (level === 'None' || omitStages.includes('ResponseComplete')) return undefined;
    const query = req.query.toString();
    const event: Record<string, any> = {
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level, auditID: req.headers['audit-id'] || randomUUID(), stage: 'ResponseComplete',
      requestURI: req.path + (query ? `?${query}` : ''), verb,
      user: { username: u.username, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra && Object.keys(u.extra).length ? { extra: u.extra } : {}) },
      sourceIPs: sourceIPs(req),
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
    };
    if (info) {
      event.objectRef = {
        resource: info.resource, ...(info.namespace ? { namespace: info.namespace } : {}), ...(info.name ? { name: info.name } : {}),
        ...(info.group ? { apiGroup: info.group } : {}), apiVersion: info.version, ...(info.subresource ? { subresource: info.subresource } : {}),
      };
    }
    if (levelRank(level) >= levelRank('Request')) {
      const obj = parseJson(req.body, req.headers['content-type']);
      if (obj !== undefined) event.requestObject = obj;
    }
    const asUser = req.headers['impersonate-user'];
    const impersonate = asUser ? { username: asUser, ...(req.headers['impersonate-group'] ? { groups: req.headers['impersonate-group'].split(',').map((g) => g.trim()).filter(Boolean) } : {}) } : undefined;
    return { event, level: level as AuditLevel, received, impersonate };
  }

  function finish(s: { event: Record<string, any>; level: AuditLevel; received: Date; impersonate?: Record<string, unknown> }, res: ApiResponse | { status: number; message?: string; reason?: string }, body?: unknown): void {
    const failed = res.status >= 400;
    const status: Record<string, unknown> = { metadata: {}, code: res.status };
    if (failed && body && typeof body === 'object') {
      const b = body as Record<string, unknown>;
      status.status = 'Failure';
      if (b.message) status.message = b.message;
      if (b.reason) status.reason = b.reason;
    } else if (failed && 'message' in res) {
      Object.assign(status, { status: 'Failure', message: res.message, reason: res.reason });
    }
    s.event.responseStatus = status;
    // Impersonation the authorizer allowed (a refused one is the 403 itself): who the request acted as.
    const as = s.impersonate;
    if (as && res.status !== 403) s.event.impersonatedUser = as;
    // A create names its object in the body, not the URL: take the name from what the server answered, as
    // upstream fills objectRef from the decoded object.
    const ref = s.event.objectRef;
    const meta = (body as { metadata?: { name?: string; namespace?: string } } | undefined)?.metadata;
    if (ref && !ref.name && !failed && s.event.verb === 'create' && meta?.name && !ref.subresource) ref.name = meta.name;
    if (s.level === 'RequestResponse' && body !== undefined && !failed) s.event.responseObject = body;
    s.event.requestReceivedTimestamp = micro(s.received);
    s.event.stageTimestamp = micro(clock());
    const annotations = s.event.annotations;
    delete s.event.annotations;
    if (annotations && Object.keys(annotations).length) s.event.annotations = annotations;
    opts.backend.write(s.event);
  }

  return {
    wrap: (handler) => async (req) => {
      const s = start(req, req.user);
      if (!s) return handler(req);
      const annotations: Record<string, string> = {};
      s.event.annotations = annotations; // filled by admission while the request runs; dropped when empty
      const res = await handler({ ...req, auditAnnotations: annotations });
      if (res.stream) {
        const inner = res.stream;
        return { ...res, stream: (async function* () { try { yield* inner; } finally { finish(s, res); } })() };
      }
      const wantsBody = s.level === 'RequestResponse' || (s.event.verb === 'create' && !s.event.objectRef?.name) || res.status >= 400;
      finish(s, res, wantsBody ? parseJson(res.body, res.headers['content-type']) : undefined);
      return res;
    },
    recordRejected(req, status, message) {
      const s = start(req, undefined);
      if (s) finish(s, { status, message, reason: status === 401 ? 'Unauthorized' : undefined });
    },
  };
}
