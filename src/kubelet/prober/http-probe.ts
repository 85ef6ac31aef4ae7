// httpGet probes and lifecycle handlers (upstream pkg/probe/http): GET with User-Agent kube-probe/1.32 (or
// kube-lifecycle/1.32 for hooks) and Accept */* unless httpHeaders set them; redirects to the same host are
// followed (at most 10), a redirect elsewhere ends the probe as a warning; 200-399 is success; the body read is
// capped at 10 KiB; https skips certificate verification, as upstream's.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HTTPGetAction } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../client/clock.js';
import { failure, goNetError, joinHostPort, success, withDeadline, type ProbeOutcome } from './outcome.js';

export const PROBE_USER_AGENT = 'kube-probe/1.32';
export const LIFECYCLE_USER_AGENT = 'kube-lifecycle/1.32';
const MAX_BODY = 10 * 1024;

export interface HttpTarget { url: URL; headers: Record<string, string> }

/** The request an HTTPGetAction describes (upstream's NewRequestForHTTPGetAction). */
export function httpTarget(action: HTTPGetAction, host: string, port: number, userAgent: string): HttpTarget {
  const scheme = (action.scheme ?? 'HTTP').toLowerCase();
  let path = action.path ?? '';
  if (path && !path.startsWith('/')) path = '/' + path;
  const url = new URL(`${scheme}://${joinHostPort(action.host || host, port)}${path}`);
  const headers: Record<string, string> = {};
  for (const h of action.httpHeaders ?? []) headers[h.name.toLowerCase()] = h.value;
  headers['user-agent'] ??= userAgent;
  headers.accept ??= '*/*';
  return { url, headers };
}

interface Response { status: number; body: string; location?: string }

function get(url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<Response> {
  return new Promise((resolve, reject) => {
    const opts = { method: 'GET', headers, signal, ...(url.protocol === 'https:' ? { rejectUnauthorized: false } : {}) };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, opts, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let n = 0;
      res.on('data', (c: Buffer) => {
        if (n < MAX_BODY) { chunks.push(c); n += c.length; }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8'), location: res.headers.location }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Runs the GET; the outcome's output quotes Go's error texts. anyStatus (lifecycle hooks): any answer succeeds,
 * only a failure to get one fails.
 */
export function httpProbe(target: HttpTarget, timeoutMs: number, clock: Clock, anyStatus = false): Promise<ProbeOutcome> {
  return withDeadline(clock, timeoutMs, async (signal) => {
    let url = target.url;
    for (let redirects = 0; ; redirects++) {
      let res: Response;
      try {
        res = await get(url, target.headers, signal);
      } catch (e) {
        if (signal.aborted) return failure(`Get "${url.href}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
        const err = e as NodeJS.ErrnoException;
        const net = err.code && err.code.startsWith('E') && err.code !== 'ERR_INVALID_URL' ? `dial tcp ${url.host}: ${goNetError(err)}` : err.message;
        return failure(`Get "${url.href}": ${net}`);
      }
      if (res.status >= 300 && res.status < 400 && res.location) {
        const next = new URL(res.location, url);
        if (next.hostname === target.url.hostname) {
          if (redirects + 1 >= 10) return failure(`Get "${next.href}": stopped after 10 redirects`);
          url = next;
          continue;
        }
      }
      if (anyStatus) return success(res.body);
      if (res.status >= 200 && res.status < 400) {
        if (res.status >= 300) return { result: 'warning', output: `Probe terminated redirects, Response body: ${res.body}` };
        return success(res.body);
      }
      return failure(`HTTP probe failed with statuscode: ${res.status}`);
    }
  });
}
