// grpc probes (upstream pkg/probe/grpc): grpc.health.v1.Health/Check over plaintext with the probe's service
// name; SERVING is success, anything else a failure with upstream's texts. The two messages are encoded by hand
// (one string field, one enum field), so no .proto loading is needed.
// @grpc/grpc-js is loaded on the first grpc probe only: it is large, and most nodes never run one.
type Grpc = typeof import('@grpc/grpc-js');
let grpcModule: Promise<Grpc> | undefined;
import type { Clock } from '../../client/clock.js';
import { failure, goDuration, joinHostPort, success, withDeadline, type ProbeOutcome } from './outcome.js';
import { PROBE_USER_AGENT } from './http-probe.js';

export const HEALTH_CHECK_METHOD = '/grpc.health.v1.Health/Check';
export const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) { out.push((n & 0x7f) | 0x80); n >>>= 7; }
  out.push(n);
  return Buffer.from(out);
}
function readVarint(b: Buffer, i: number): [number, number] {
  let v = 0, shift = 0;
  for (;;) {
    const byte = b[i++];
    v += (byte & 0x7f) * 2 ** shift;
    if (!(byte & 0x80)) return [v, i];
    shift += 7;
  }
}

/** HealthCheckRequest { string service = 1; } */
export function encodeHealthCheckRequest(service: string): Buffer {
  if (!service) return Buffer.alloc(0);
  const s = Buffer.from(service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a]), varint(s.length), s]);
}
export function decodeHealthCheckRequest(b: Buffer): string {
  let i = 0;
  while (i < b.length) {
    const [tag, j] = readVarint(b, i);
    const [len, k] = readVarint(b, j);
    if (tag === 0x0a) return b.subarray(k, k + len).toString('utf8');
    i = k + len;
  }
  return '';
}
/** HealthCheckResponse { ServingStatus status = 1; } */
export function encodeHealthCheckResponse(status: number): Buffer {
  return status ? Buffer.concat([Buffer.from([0x08]), varint(status)]) : Buffer.alloc(0);
}
export function decodeHealthCheckResponse(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const [tag, j] = readVarint(b, i);
    if (tag === 0x08) return readVarint(b, j)[0];
    if ((tag & 7) === 0) i = readVarint(b, j)[1];
    else if ((tag & 7) === 2) { const [len, k] = readVarint(b, j); i = k + len; } else break;
  }
  return 0;
}

export async function grpcProbe(host: string, port: number, service: string, timeoutMs: number, clock: Clock): Promise<ProbeOutcome> {
  const grpc = await (grpcModule ??= import('@grpc/grpc-js'));
  const addr = joinHostPort(host, port);
  const timeout = goDuration(timeoutMs);
  const client = new grpc.Client(addr, grpc.credentials.createInsecure(), { 'grpc.primary_user_agent': PROBE_USER_AGENT });
  return withDeadline(clock, timeoutMs, (signal) => new Promise<ProbeOutcome>((resolve) => {
    let connected = false;
    const call = client.makeUnaryRequest(HEALTH_CHECK_METHOD, encodeHealthCheckRequest, decodeHealthCheckResponse, service, new grpc.Metadata(), {},
      (err, status) => {
        signal.removeEventListener('abort', onAbort);
        client.close();
        if (err) {
          if (err.code === grpc.status.UNIMPLEMENTED) resolve(failure(`error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}`));
          else if (err.code === grpc.status.UNAVAILABLE && !connected) resolve(failure(`error: failed to connect service at "${addr}": ${err.details}`));
          else if (err.code === grpc.status.CANCELLED && signal.aborted) resolve(failure(connected ? `timeout: health rpc did not complete within ${timeout}` : `timeout: failed to connect service "${addr}" within ${timeout}: context deadline exceeded`));
          else resolve(failure(`error: health rpc probe failed: rpc error: code = ${grpc.status[err.code]} desc = ${err.details}`));
          return;
        }
        const s = status ?? 0;
        resolve(s === 1 ? success('service is healthy') : failure(`service unhealthy (responded with "${SERVING_STATUS[s] ?? s}")`));
      });
    call.on('metadata', () => { connected = true; });
    const onAbort = () => call.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
  }));
}
