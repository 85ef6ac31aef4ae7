// One run of a container's probe (upstream prober.runProbe): the handler kind decides how, the pod IP is the
// default host, a named port is looked up in the container's ports, timeoutSeconds (default 1) bounds it.
import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../client/clock.js';
import { execProbe, type ExecRunner } from './exec-probe.js';
import { grpcProbe } from './grpc-probe.js';
import { httpProbe, httpTarget, PROBE_USER_AGENT } from './http-probe.js';
import { probeError, type ProbeOutcome } from './outcome.js';
import { tcpProbe } from './tcp-probe.js';

export interface ProbeTarget {
  container: Container;
  containerId: string;
  /** The pod's IP (the node's for hostNetwork pods): the host of httpGet/tcpSocket/grpc probes without one. */
  podIP: string;
  runtime: ExecRunner;
  clock: Clock;
}

/** A port by number, numeric string, or the name of one of the container's ports (upstream's extractPort). */
export function resolvePort(port: number | string | undefined, container: Container): number {
  if (typeof port === 'number') return port;
  if (port === undefined || port === '') throw new Error('port is required');
  if (/^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`couldn't find port: ${port} in container ${container.name}`);
  return named.containerPort;
}

export async function runProbe(probe: Probe, t: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutSeconds = probe.timeoutSeconds || 1;
  const timeoutMs = timeoutSeconds * 1000;
  try {
    if (probe.exec) return await execProbe(t.runtime, t.containerId, probe.exec.command ?? [], timeoutSeconds, t.clock);
    if (probe.httpGet) {
      const port = resolvePort(probe.httpGet.port, t.container);
      return await httpProbe(httpTarget(probe.httpGet, t.podIP, port, PROBE_USER_AGENT), timeoutMs, t.clock);
    }
    if (probe.tcpSocket) return await tcpProbe(probe.tcpSocket.host || t.podIP, resolvePort(probe.tcpSocket.port, t.container), timeoutMs, t.clock);
    if (probe.grpc) return await grpcProbe(t.podIP, probe.grpc.port, probe.grpc.service ?? '', timeoutMs, t.clock);
  } catch (e) {
    return probeError((e as Error).message);
  }
  return probeError(`missing probe handler for ${t.container.name}`);
}
