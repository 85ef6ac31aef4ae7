// Auditing (upstream's k8s.io/apiserver/pkg/audit): one audit.k8s.io/v1 Event per request at stage
// ResponseComplete (for watches and followed logs, when the stream ends), at the level the policy gives, written as
// one JSON line to the backend (<home>/audit.log). Metadata: who, what, from where, the outcome. Request adds the
// request body, RequestResponse the response body. Secrets are never logged above Metadata, whatever the policy says,
// so no Secret value ever reaches the log.
import { randomUUID } from 'node:crypto';
import { chmodSync, createWriteStream, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ApiHandler, ApiRequest, ApiResponse, UserInfo } from '../../api/transport.js';
import { parseResourcePath } from '../request-info.js';
import { parsedAsJson, serializedFrom } from '../json-bodies.js';
import { evaluatePolicy, levelRank, type AuditLevel, type AuditPolicy } from './policy.js';

export const AUDIT_LOG_FILE = 'audit.log';

export interface AuditBackend {
  write(event: Record<string, unknown>): void;
  /**
   * A backend that writes lines takes the event as one line of JSON instead, with the request and response bodies in
   * it as the text they arrived or left as (json-bodies.ts; parsed and serialized again only when that text is not
   * known to be JSON on one line): the same JSON as JSON.stringify(event), without parsing what was just serialized.
   */
  writeLine?(line: string): void;
  close(): Promise<void>;
}

/** Where rotated audit logs go, beside the log (<home>/audit/), and how many are kept. */
export const AUDIT_BACKUP_DIR = 'audit';

export interface AuditFileOptions {
  /** Size at which the log is rotated, e.g. "100M" (upstream's --audit-log-maxsize; lumberjack's default 100 MB). */
  maxSize?: string;
  /** Rotated logs kept in <dir>/audit/, oldest removed first (upstream's --audit-log-maxbackup). */
  maxBackups?: number;
}

/**
 * Appends JSON lines to `path` (mode 0600), rotated by size as upstream's log backend (lumberjack) does: the full log
 * is renamed to audit/audit-<time>.log beside it and a new one started, and only the newest maxBackups are kept, so
 * the log cannot fill the disk. Written here rather than with rotating-file-stream: that library cost 30–35 µs of CPU
 * per line against 2–3 µs for a plain write stream, on a path every request takes.
 */
export function fileAuditBackend(path: string, opts: AuditFileOptions = {}): AuditBackend {
  const maxBytes = parseSize(opts.maxSize ?? '100M');
  const maxBackups = opts.maxBackups ?? 5;
  const backups = join(dirname(path), AUDIT_BACKUP_DIR);
  const stem = basename(path).replace(/\.log$/, '');
  // Opened here, not by the stream in the background, so the file exists (and can be renamed) from the start.
  const open = () => {
    const s = createWriteStream(path, { fd: openSync(path, 'a', 0o600) });
    s.on('error', () => undefined); // a full disk must not take the API server down
    return s;
  };
  let stream: WriteStream = open();
  try { chmodSync(path, 0o600); } catch { /* not ours to change */ }
  let size = 0;
  try { size = statSync(path).size; } catch { /* new */ }
  let lastMs = 0;
  const rotate = () => {
    // Writes still queued on the old stream land in the renamed file: its descriptor follows the rename.
    const old = stream;
    try {
      mkdirSync(backups, { recursive: true, mode: 0o700 });
      // Names sort as they were made: two rotations in one millisecond get the next millisecond.
      lastMs = Math.max(Date.now(), lastMs + 1);
      renameSync(path, join(backups, `${stem}-${new Date(lastMs).toISOString().replace(/:/g, '-').replace(/Z$/, '')}.log`));
      const kept = readdirSync(backups).filter((f) => f.startsWith(`${stem}-`) && f.endsWith('.log')).sort();
      for (const f of kept.slice(0, Math.max(0, kept.length - maxBackups))) rmSync(join(backups, f), { force: true });
      stream = open();
    } catch { size = 0; return; /* keep writing where we are; try again after another maxSize */ }
    old.end();
    size = 0;
  };
  const append = (line: string) => {
    stream.write(line);
    size += Buffer.byteLength(line);
    if (size >= maxBytes) rotate();
  };
  return {
    write: (e) => append(JSON.stringify(e) + '\n'),
    writeLine: (line) => append(line + '\n'),
    close: () => new Promise<void>((resolve) => stream.end(() => resolve())),
  };
}

/** "100M", "2K", "512B" or a number of bytes. */
function parseSize(v: string): number {
  const m = /^(\d+)\s*([BKMG]?)$/i.exec(v.trim());
  if (!m) throw new Error(`invalid audit log size ${JSON.stringify(v)}: use a number with B, K, M or G`);
  return Number(m[1]) * ({ '': 1, B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 } as Record<string, number>)[m[2]!.toUpperCase()]!;
}

/** Upstream's audit timestamps: RFC 3339 with microseconds (toISOString always ends in .sssZ). */
const micro = (d: Date) => `${d.toISOString().slice(0, -1)}000Z`;

/** Where a request came from: X-Forwarded-For entries, then X-Real-Ip, then the peer, as upstream's utilnet.SourceIPs. */
function sourceIPs(req: ApiRequest): string[] {
  const forwarded = req.headers['x-forwarded-for'];
  const real = req.headers['x-real-ip']?.trim();
  if (!forwarded && !real) return req.remoteAddress ? [req.remoteAddress] : [];
  const out: string[] = [];
  for (const ip of (forwarded ?? '').split(',').map((s) => s.trim()).filter(Boolean)) out.push(ip);
  if (real && !out.includes(real)) out.push(real);
  if (req.remoteAddress && !out.includes(req.remoteAddress)) out.push(req.remoteAddress);
  return out;
}

const jsonContent = (contentType: string | undefined) => !contentType || contentType.includes('json');

function parseJson(body: Buffer | string | undefined, contentType: string | undefined): unknown {
  if (body === undefined || body.length === 0) return undefined;
  if (!jsonContent(contentType)) return undefined;
  try { return JSON.parse(body.toString()); } catch { return undefined; }
}

/**
 * A request body the handler parsed as JSON, as text to write as it is: without the whitespace around it (a Go
 * client's encoder ends its body in a newline), and only when no line break is left inside it.
 */
function requestJsonText(body: Buffer): string | undefined {
  if (!parsedAsJson(body)) return undefined;
  const text = body.toString().trim();
  return text.includes('\n') || text.includes('\r') ? undefined : text;
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

/** A request being audited: its event so far, and what finishing it needs. */
interface Pending {
  event: Record<string, any>; level: AuditLevel; received: Date; impersonate?: Record<string, unknown>; req: ApiRequest;
  annotations?: Record<string, string>;
}

export function createAuditor(opts: AuditOptions): Auditor {
  const clock = opts.clock ?? (() => new Date());

  function start(req: ApiRequest, user: UserInfo | undefined): Pending | undefined {
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
    const who: Record<string, unknown> = { username: u.username };
    if (u.uid) who.uid = u.uid;
    who.groups = u.groups;
    if (u.extra && Object.keys(u.extra).length) who.extra = u.extra;
    const event: Record<string, any> = {
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level, auditID: req.headers['audit-id'] || randomUUID(), stage: 'ResponseComplete',
      requestURI: query ? `${req.path}?${query}` : req.path, verb, user: who, sourceIPs: sourceIPs(req),
    };
    const userAgent = req.headers['user-agent'];
    if (userAgent) event.userAgent = userAgent;
    if (info) {
      const ref: Record<string, unknown> = { resource: info.resource };
      if (info.namespace) ref.namespace = info.namespace;
      if (info.name) ref.name = info.name;
      if (info.group) ref.apiGroup = info.group;
      ref.apiVersion = info.version;
      if (info.subresource) ref.subresource = info.subresource;
      event.objectRef = ref;
    }
    const asUser = req.headers['impersonate-user'];
    const impersonate = asUser ? { username: asUser, ...(req.headers['impersonate-group'] ? { groups: req.headers['impersonate-group'].split(',').map((g) => g.trim()).filter(Boolean) } : {}) } : undefined;
    return { event, level: level as AuditLevel, received, impersonate, req };
  }

  /**
   * The event, with the request body at Request level and above and the response body at RequestResponse: kept as
   * text when the handler parsed the one and serialized the other (json-bodies.ts), parsed from their bytes otherwise.
   */
  function finish(s: Pending, res: ApiResponse | { status: number; message?: string; reason?: string }, withBody = false): void {
    const event = s.event;
    let requestText: string | undefined;
    let requestObject: unknown;
    if (levelRank(s.level) >= levelRank('Request')) {
      const body = s.req.body;
      const contentType = s.req.headers['content-type'];
      requestText = body !== undefined && body.length > 0 && jsonContent(contentType) ? requestJsonText(body) : undefined;
      if (requestText === undefined) requestObject = parseJson(body, contentType);
    }
    const failed = res.status >= 400;
    // The response as the event needs it: its name (a create's), its text (RequestResponse), or its Status (a failure).
    let body: unknown;
    let responseText: string | undefined;
    let name: unknown;
    if (withBody && 'headers' in res) {
      const known = !failed && typeof res.body === 'string' && jsonContent(res.headers['content-type']) ? serializedFrom(res) : undefined;
      if (known) { responseText = res.body as string; name = known.name; }
      else { body = parseJson(res.body, res.headers['content-type']); name = (body as { metadata?: { name?: unknown } } | undefined)?.metadata?.name; }
    }
    const status: Record<string, unknown> = { metadata: {}, code: res.status };
    if (failed && body && typeof body === 'object') {
      const b = body as Record<string, unknown>;
      status.status = 'Failure';
      if (b.message) status.message = b.message;
      if (b.reason) status.reason = b.reason;
    } else if (failed && 'message' in res) {
      Object.assign(status, { status: 'Failure', message: res.message, reason: res.reason });
    }
    // A create names its object in the body, not the URL: take the name from what the server answered, as
    // upstream fills objectRef from the decoded object.
    const ref = event.objectRef;
    if (ref && !ref.name && !failed && event.verb === 'create' && name && !ref.subresource) ref.name = name;
    const middle: Record<string, unknown> = { responseStatus: status };
    // Impersonation the authorizer allowed (a refused one is the 403 itself): who the request acted as.
    if (s.impersonate && res.status !== 403) middle.impersonatedUser = s.impersonate;
    const withResponse = s.level === 'RequestResponse' && !failed;
    const tail: Record<string, unknown> = { requestReceivedTimestamp: micro(s.received), stageTimestamp: micro(clock()) };
    if (s.annotations && Object.keys(s.annotations).length) tail.annotations = s.annotations;
    if (opts.backend.writeLine) {
      // JSON.stringify of the event below, its parts in the same order, the bodies' text put in as it is.
      let line = JSON.stringify(event).slice(0, -1);
      const requestJson = requestText ?? (requestObject !== undefined ? JSON.stringify(requestObject) : undefined);
      if (requestJson !== undefined) line += `,"requestObject":${requestJson}`;
      line += `,${JSON.stringify(middle).slice(1, -1)}`;
      const responseJson = !withResponse ? undefined : responseText ?? (body !== undefined ? JSON.stringify(body) : undefined);
      if (responseJson !== undefined) line += `,"responseObject":${responseJson}`;
      opts.backend.writeLine(`${line},${JSON.stringify(tail).slice(1)}`);
      return;
    }
    if (requestText !== undefined) requestObject = JSON.parse(requestText);
    if (requestObject !== undefined) event.requestObject = requestObject;
    Object.assign(event, middle);
    if (withResponse && responseText !== undefined) event.responseObject = JSON.parse(responseText);
    else if (withResponse && body !== undefined) event.responseObject = body;
    Object.assign(event, tail);
    opts.backend.write(event);
  }

  return {
    wrap: (handler) => async (req) => {
      const s = start(req, req.user);
      if (!s) return handler(req);
      const annotations: Record<string, string> = {};
      s.annotations = annotations; // filled by admission while the request runs; left out when empty
      // Set on the request itself (each is the caller's own): a copy would cost more than the rest of this wrapper.
      req.auditAnnotations = annotations;
      const res = await handler(req);
      if (res.stream) {
        const inner = res.stream;
        return { ...res, stream: (async function* () { try { yield* inner; } finally { finish(s, res); } })() };
      }
      const wantsBody = s.level === 'RequestResponse' || (s.event.verb === 'create' && !s.event.objectRef?.name) || res.status >= 400;
      finish(s, res, wantsBody);
      return res;
    },
    recordRejected(req, status, message) {
      const s = start(req, undefined);
      if (s) finish(s, { status, message, reason: status === 401 ? 'Unauthorized' : undefined });
    },
  };
}
