// pods/exec, pods/attach and pods/portforward: HTTP upgrades (WebSocket: v5.channel.k8s.io for exec/attach,
// SPDY/3.1+portforward.k8s.io for port-forward) that the apiserver checks (pod exists, container valid, pod
// scheduled) and then hands to the kubelet of the pod's node byte for byte, as upstream's UpgradeAwareHandler does:
// the upgrade request goes to /exec|/attach/{ns}/{pod}/{container} or /portForward/{ns}/{pod} on the kubelet,
// and the kubelet's answer (101 and the frames after it, or an error) comes back unchanged.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { StatusError, internal } from '../../api/errors.js';
import type { UserInfo } from '../../api/transport.js';
import type { Logger } from '../logger.js';
import { isTrue, parseResourcePath, requestTarget } from '../request-info.js';
import type { Registry } from '../registry/registry.js';
import { kubeletLocation, kubeletTlsOptions, type KubeletClientConfig } from './kubelet-connection.js';
import { podContainer, podNodeName } from './pod-container.js';
import { badRequest } from '../../api/errors.js';
import type { FlowTap } from '../flow/tap.js';

export const streamSubresources = ['exec', 'attach', 'portforward'];

/** Request headers never passed to a kubelet: the client's credentials are for the apiserver only. */
const dropped = new Set(['host', 'authorization', 'cookie', 'proxy-authorization', 'impersonate-user', 'impersonate-group', 'impersonate-uid']);

export function writeUpgradeError(socket: Duplex, err: StatusError): void {
  const body = JSON.stringify(err.status);
  if (!socket.writable) { socket.destroy(); return; }
  socket.end(`HTTP/1.1 ${err.code} ${err.reason || 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** True when this upgrade request addresses pods/{exec,attach,portforward}. */
export function isPodStreamRequest(req: IncomingMessage): boolean {
  let info;
  try { const url = requestTarget(req.url); info = parseResourcePath(req.method ?? 'GET', url.path, url.query); } catch { return false; }
  return !!info && info.group === '' && info.resource === 'pods' && !!info.subresource && streamSubresources.includes(info.subresource);
}

export function podStreamUpgrade(opts: { registry: Registry; kubelet: KubeletClientConfig; logger: Logger; flow?: FlowTap }) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer, user: UserInfo): void => {
    socket.on('error', () => undefined);
    proxy(req, socket, head, user).catch((e) => {
      if (!(e instanceof StatusError)) opts.logger.error('pod stream failed', { path: req.url?.split('?')[0], error: (e as Error)?.message ?? String(e) });
      writeUpgradeError(socket, e instanceof StatusError ? e : internal());
    });
  };

  async function proxy(req: IncomingMessage, socket: Duplex, head: Buffer, user: UserInfo): Promise<void> {
    const url = requestTarget(req.url);
    const info = parseResourcePath(req.method ?? 'GET', url.path, url.query)!;
    if (req.method !== 'GET' && req.method !== 'POST') throw badRequest(`${req.method} is not supported for pods/${info.subresource}`);
    const pods = opts.registry.forResource('', 'pods')!;
    const pod = await pods.get(info.namespace, info.name!);
    const name = info.name!, ns = info.namespace!;
    const q = url.query;
    let path: string;
    if (info.subresource === 'portforward') {
      path = `/portForward/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`;
      const ports = q.getAll('ports');
      if (ports.length) path += `?${ports.map((p) => `port=${encodeURIComponent(p)}`).join('&')}`;
    } else {
      const container = podContainer(pod, q.get('container'));
      const params = new URLSearchParams();
      if (info.subresource === 'exec') for (const c of q.getAll('command')) params.append('command', c);
      // The kubelet's parameter names, as upstream's streamParams.
      for (const [ours, theirs] of [['stdin', 'input'], ['stdout', 'output'], ['stderr', 'error'], ['tty', 'tty']]) if (isTrue(q.get(ours))) params.set(theirs, '1');
      path = `/${info.subresource}/${encodeURIComponent(ns)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}?${params}`;
    }
    const nodeName = podNodeName(pod);
    if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
    const loc = await kubeletLocation(opts.registry, nodeName);
    if (opts.flow?.active) opts.flow.proxied(user.username, 'create', info, nodeName);

    const upstream = tls.connect(kubeletTlsOptions(opts.kubelet, loc));
    await new Promise<void>((resolve, reject) => {
      upstream.once('secureConnect', resolve);
      upstream.once('error', (e) => reject(internal(`error dialing backend: ${e.message}`)));
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    const lines = [`${req.method} ${path} HTTP/1.1`, `Host: ${loc.host}:${loc.port}`];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      if (!dropped.has(req.rawHeaders[i].toLowerCase())) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
    upstream.on('close', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    opts.logger.info('pod stream', { subresource: info.subresource, namespace: ns, pod: name, node: nodeName, user: user.username });
  }
}
