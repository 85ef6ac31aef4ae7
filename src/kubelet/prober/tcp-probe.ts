// tcpSocket probes (upstream pkg/probe/tcp): success when a TCP connection opens within the timeout, then it is
// closed at once. Failure texts are Go's: "dial tcp 10.244.0.5:5000: connect: connection refused".
import { connect } from 'node:net';
import type { Clock } from '../../client/clock.js';
import { failure, goNetError, joinHostPort, success, withDeadline, type ProbeOutcome } from './outcome.js';

export function tcpProbe(host: string, port: number, timeoutMs: number, clock: Clock): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  return withDeadline(clock, timeoutMs, (signal) => new Promise<ProbeOutcome>((resolve) => {
    const sock = connect({ host, port });
    const done = (o: ProbeOutcome) => { signal.removeEventListener('abort', onAbort); sock.destroy(); resolve(o); };
    const onAbort = () => done(failure(`dial tcp ${addr}: i/o timeout`));
    signal.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => done(success()));
    sock.once('error', (e: NodeJS.ErrnoException) => done(failure(`dial tcp ${addr}: ${goNetError(e)}`)));
  }));
}
