// What one probe run gives, as upstream's pkg/probe: success, failure, warning (a success with an event, e.g.
// an HTTP probe that stopped at a redirect to another host), or error (the probe could not run: a named port
// that does not exist, a runtime exec error; the result is thrown away, as upstream's worker does); `output` is
// what the Unhealthy event quotes.
import type { Clock } from '../../client/clock.js';

export type ProbeResult = 'success' | 'failure' | 'warning' | 'error';
export interface ProbeOutcome { result: ProbeResult; output: string }

export const success = (output = ''): ProbeOutcome => ({ result: 'success', output });
export const failure = (output: string): ProbeOutcome => ({ result: 'failure', output });
export const probeError = (output: string): ProbeOutcome => ({ result: 'error', output });

/** Go's time.Duration text for whole or fractional seconds: 1s, 1.5s, 500ms. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m0s`;
  return `${ms / 1000}s`;
}

/**
 * Runs f with an AbortSignal that aborts after ms of the clock's time; resolves with f's value. The timer is
 * always cleared, so nothing stays scheduled after a probe.
 */
export async function withDeadline<T>(clock: Clock, ms: number, f: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const h = clock.setTimeout(() => ac.abort(), ms);
  try { return await f(ac.signal); } finally { clock.clearTimeout(h); }
}

/** Go's net error text for a Node socket error: "connect: connection refused", "i/o timeout", ... */
export function goNetError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ECONNREFUSED': return 'connect: connection refused';
    case 'EHOSTUNREACH': return 'connect: no route to host';
    case 'ENETUNREACH': return 'connect: network is unreachable';
    case 'ECONNRESET': return 'read: connection reset by peer';
    case 'ETIMEDOUT': return 'i/o timeout';
    case 'ENOTFOUND': case 'EAI_AGAIN': return `lookup ${(e as { hostname?: string }).hostname ?? ''}: no such host`;
    default: return e.message;
  }
}

export const joinHostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
