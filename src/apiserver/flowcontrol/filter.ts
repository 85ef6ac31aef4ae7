// API Priority and Fairness in the request pipeline (upstream's WithPriorityAndFairness), between impersonation and
// authorization as upstream orders its filters: each request is classified to the first FlowSchema that matches it
// and to a flow within it, then runs at that schema's priority level: at once when the level is Exempt, otherwise
// holding one of the level's seats, waiting in its queues for one, or rejected with 429, Retry-After and upstream's
// text when the queues are full (or the level rejects instead of queueing, or the wait is too long). Every
// classified response names the FlowSchema's and priority level's UIDs in X-Kubernetes-PF-* headers. Long-running
// requests (exec, attach, port-forward, logs, proxy) are not limited; a watch holds its seat only until it is set
// up (the handler returns its stream), as upstream counts watches only while they initialize.
import { StatusError } from '../../api/errors.js';
import { errorResponse, type ApiRequest, type ApiResponse, type UserInfo } from '../../api/transport.js';
import type { ResourceRequestInfo } from '../request-info.js';
import { sameSerialized } from '../json-bodies.js';
import { candidatesFor, classifyCandidates, flowDistinguisher, type CompiledFlowSchema, type RequestDigest } from './matching.js';
import { hashFlowID } from './shuffle-sharding.js';
import { DroppedRequests } from './dropped-requests.js';
import type { ConfigController, FlowControlConfig, PriorityLevelState } from './config-controller.js';
import type { RejectReason, Seat } from './queue-set.js';

export const FLOW_SCHEMA_UID_HEADER = 'x-kubernetes-pf-flowschema-uid';
export const PRIORITY_LEVEL_UID_HEADER = 'x-kubernetes-pf-prioritylevel-uid';
/** Upstream's body for a request APF rejected (written with http.Error: text, not a Status). */
export const TOO_MANY_REQUESTS_MESSAGE = 'Too many requests, please try again later.';

/** Subresources upstream's BasicLongRunningRequestCheck exempts (besides the proxy verb). */
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);

export interface FlowControlOptions {
  /**
   * How long a request may wait in a queue before it is rejected (upstream: a quarter of the request timeout,
   * 60 s, so 15 s).
   */
  requestWaitLimitMs?: number;
}

export class FlowControl {
  private readonly dropped = new DroppedRequests();
  private readonly waitLimitMs: number;
  /** By username: the groups the entry was computed for, and the candidate schemas. */
  private readonly candidateCache = new Map<string, UserEntry>();
  private candidatesConfig: FlowControlConfig | undefined;

  constructor(readonly controller: ConfigController, opts: FlowControlOptions = {}) {
    this.waitLimitMs = opts.requestWaitLimitMs ?? 15_000;
  }

  /**
   * Runs `execute` for the request under APF; its response carries the classification headers. Not an async
   * function: a request that gets its seat at once is one `then` on the response (this runs on every request).
   */
  serve(req: ApiRequest, user: UserInfo, info: ResourceRequestInfo | undefined, path: string, execute: () => Promise<ApiResponse>): Promise<ApiResponse> {
    if (info && (info.verb === 'proxy' || (info.subresource !== undefined && LONG_RUNNING_SUBRESOURCES.has(info.subresource)))) return execute();
    const digest: RequestDigest = info
      ? { user, resource: info }
      : { user, nonResource: { verb: req.method.toLowerCase(), path } };
    const config = this.controller.config;
    const entry = this.candidates(config, user);
    const fs = classifyCandidates(digest, entry.schemas) ?? config.flowSchemas.find((f) => f.name === 'catch-all')!;
    const pl = config.priorityLevels.get(fs.priorityLevel)!;
    if (pl.exempt) return serveExempt(pl, fs, execute);
    const qs = pl.queueSet!;
    let hash = 0;
    if (qs.config.queues > 1) {
      // A flow by user (or a schema's single flow) is the same for all of this user's requests: hashed once.
      if (fs.distinguisher === 'ByNamespace') hash = hashFlowID(fs.name, flowDistinguisher(digest, fs));
      else {
        const known = entry.hashes.get(fs);
        if (known !== undefined) hash = known;
        else entry.hashes.set(fs, hash = hashFlowID(fs.name, flowDistinguisher(digest, fs)));
      }
    }
    const seat = qs.acquire(hash, this.waitLimitMs, () => req.signal);
    if (seat instanceof Promise) return seat.then((s) => this.dispatch(s, pl, fs, execute));
    return this.dispatch(seat, pl, fs, execute);
  }

  /** Runs the request on its seat (or answers 429 for the reason it got none); the seat is given back when it ends. */
  private dispatch(seat: Seat | RejectReason, pl: PriorityLevelState, fs: CompiledFlowSchema, execute: () => Promise<ApiResponse>): Promise<ApiResponse> {
    if (typeof seat === 'string') {
      this.dropped.record(pl.name);
      return Promise.resolve({
        status: 429,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'retry-after': String(this.dropped.retryAfter(pl.name)), [FLOW_SCHEMA_UID_HEADER]: fs.uid, [PRIORITY_LEVEL_UID_HEADER]: pl.uid },
        body: `${TOO_MANY_REQUESTS_MESSAGE}\n`,
      });
    }
    // A StatusError thrown by a later stage still becomes a response here, so it carries the classification headers.
    let running: Promise<ApiResponse>;
    try { running = execute(); } catch (e) { running = Promise.reject(e); }
    return running.then(
      (res) => { seat.finish(); return withHeaders(res, fs.uid, pl.uid); },
      (e) => { seat.finish(); if (e instanceof StatusError) return withHeaders(errorResponse(e), fs.uid, pl.uid); throw e; });
  }

  /**
   * The schemas a user's subjects match, remembered per user for the current configuration (bounded): found by
   * username and checked against the groups without building a key, since this runs on every request.
   */
  private candidates(config: FlowControlConfig, user: UserInfo): UserEntry {
    if (this.candidatesConfig !== config) { this.candidateCache.clear(); this.candidatesConfig = config; }
    const hit = this.candidateCache.get(user.username);
    if (hit && sameGroups(hit.groups, user.groups)) return hit;
    if (this.candidateCache.size >= 10_000) this.candidateCache.clear();
    const entry: UserEntry = { groups: [...user.groups], schemas: candidatesFor(user, config.flowSchemas), hashes: new Map() };
    this.candidateCache.set(user.username, entry);
    return entry;
  }

  /**
   * /debug/api_priority_and_fairness/dump_priority_levels: one row per priority level, upstream's columns, in the
   * layout of its tabwriter (comma-separated cells padded to aligned columns).
   */
  dumpPriorityLevels(): string {
    const header = ['PriorityLevelName', 'ActiveQueues', 'IsIdle', 'IsQuiescing', 'WaitingRequests', 'ExecutingRequests', 'DispatchedRequests', 'RejectedRequests', 'TimedoutRequests', 'CancelledRequests'];
    const rows = [header];
    const levels = [...this.controller.config.priorityLevels.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const pl of levels) {
      if (pl.exempt) {
        rows.push([pl.name, '0', String(pl.exemptStats.executing === 0), 'false', '0', String(pl.exemptStats.executing), String(pl.exemptStats.dispatched), '0', '0', '0']);
        continue;
      }
      const d = pl.queueSet!.dump();
      rows.push([pl.name, String(d.activeQueues), String(pl.queueSet!.isIdle()), 'false', String(d.waiting), String(d.executing), String(d.dispatched), String(d.rejected), String(d.timedOut), String(d.cancelled)]);
    }
    return tabulate(rows);
  }
}

/** What the filter remembers of a user for the current configuration. */
interface UserEntry {
  groups: readonly string[];
  /** The schemas with a rule whose subjects match the user. */
  schemas: readonly CompiledFlowSchema[];
  /** Flow hashes of the schemas whose flow does not depend on the request (ByUser, or no distinguisher). */
  hashes: Map<CompiledFlowSchema, number>;
}

function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** An exempt level's request: run at once, counted while it runs. */
async function serveExempt(pl: PriorityLevelState, fs: CompiledFlowSchema, execute: () => Promise<ApiResponse>): Promise<ApiResponse> {
  pl.exemptStats.executing++;
  pl.exemptStats.dispatched++;
  try { return withHeaders(await execute(), fs.uid, pl.uid); }
  catch (e) { if (e instanceof StatusError) return withHeaders(errorResponse(e), fs.uid, pl.uid); throw e; }
  finally { pl.exemptStats.executing--; }
}

/** The response with the classification headers added (copied key by key: spreading header maps is V8's slow path). */
function withHeaders(res: ApiResponse, flowSchemaUID: string, priorityLevelUID: string): ApiResponse {
  const headers: Record<string, string> = {};
  for (const k in res.headers) headers[k] = res.headers[k];
  headers[FLOW_SCHEMA_UID_HEADER] = flowSchemaUID;
  headers[PRIORITY_LEVEL_UID_HEADER] = priorityLevelUID;
  return sameSerialized(res, { status: res.status, headers, body: res.body, stream: res.stream });
}

/** Go's tabwriter (minwidth 8, padding 1) over rows whose cells end in ",\t" but the last. */
function tabulate(rows: string[][]): string {
  const cols = Math.max(...rows.map((r) => r.length));
  const widths: number[] = [];
  for (let c = 0; c < cols - 1; c++) widths[c] = Math.max(8, ...rows.map((r) => (c < r.length - 1 ? r[c].length + 2 : 0)));
  return rows.map((r) => r.map((cell, c) => (c < r.length - 1 ? `${cell},`.padEnd(widths[c]) : cell)).join('')).join('\n') + '\n';
}
