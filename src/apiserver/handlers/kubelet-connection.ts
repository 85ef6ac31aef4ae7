// How the apiserver reaches a node's kubelet (upstream's KubeletClientConfig + NodeConnectionInfo): the node's
// address from status.addresses and the port from status.daemonEndpoints.kubeletEndpoint.Port, over HTTPS with
// the apiserver-kubelet-client certificate, verifying the kubelet's serving certificate against the cluster CA.
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { badRequest, internal, genericServerResponse } from '../../api/errors.js';
import type { Registry } from '../registry/registry.js';
import type { KubeObject } from '../../api/object.js';

/** The client certificate the apiserver presents to kubelets, and the CA their serving certificates chain to. */
export interface KubeletClientConfig { cert: string; key: string; ca: string }

interface NodeStatusShape { addresses?: Array<{ type: string; address: string }>; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } }

export interface KubeletLocation { nodeName: string; host: string; port: number }

/** Address types in the order the apiserver tries them (upstream's --kubelet-preferred-address-types, IP first). */
const preferredAddressTypes = ['InternalIP', 'ExternalIP', 'Hostname', 'InternalDNS', 'ExternalDNS'];

export async function kubeletLocation(registry: Registry, nodeName: string): Promise<KubeletLocation> {
  const nodes = registry.forResource('', 'nodes');
  if (!nodes) throw internal('nodes are not served');
  const node = await nodes.get(undefined, nodeName) as KubeObject & { status?: NodeStatusShape };
  const addresses: Array<{ type: string; address: string }> = node.status?.addresses ?? [];
  let host: string | undefined;
  for (const t of preferredAddressTypes) { host = addresses.find((a) => a.type === t && a.address)?.address; if (host) break; }
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
  if (!host) throw badRequest(`node "${nodeName}" has no address the apiserver can reach its kubelet at`);
  if (!port) throw badRequest(`node "${nodeName}" publishes no kubelet port (status.daemonEndpoints.kubeletEndpoint.Port): its kubelet serves no logs, exec or port-forward`);
  return { nodeName, host, port };
}

function hostPort(loc: KubeletLocation): string {
  return `${isIP(loc.host) === 6 ? `[${loc.host}]` : loc.host}:${loc.port}`;
}

/** The TLS options for talking to a kubelet. */
export function kubeletTlsOptions(cfg: KubeletClientConfig, loc: KubeletLocation, insecureSkipVerify = false): tls.ConnectionOptions {
  return {
    host: loc.host, port: loc.port, cert: cfg.cert, key: cfg.key, ca: cfg.ca,
    ...(isIP(loc.host) ? {} : { servername: loc.host }),
    rejectUnauthorized: !insecureSkipVerify,
  };
}

/**
 * Sends one request to the kubelet and resolves with its 2xx response (the body unread, for streaming); a non-2xx
 * answer becomes a StatusError with the kubelet's message, a connection failure a 500 naming the URL as upstream's.
 */
export function kubeletRequest(cfg: KubeletClientConfig, loc: KubeletLocation, opts: {
  method: string; path: string; headers?: Record<string, string>; body?: Buffer; signal?: AbortSignal; insecureSkipVerify?: boolean; acceptAnyStatus?: boolean;
}): Promise<IncomingMessage> {
  const url = `https://${hostPort(loc)}${opts.path}`;
  return new Promise((resolve, reject) => {
    const req = https.request({ ...kubeletTlsOptions(cfg, loc, opts.insecureSkipVerify), method: opts.method, path: opts.path, headers: opts.headers, agent: false }, (res) => {
      const code = res.statusCode ?? 500;
      if (opts.acceptAnyStatus || (code >= 200 && code < 300)) { resolve(res); return; }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => { if (size < 64 * 1024) { chunks.push(c); size += c.length; } });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8').trim();
        let message = text;
        try { const s = JSON.parse(text) as { kind?: string; message?: string }; if (s.kind === 'Status' && s.message) message = s.message; } catch { /* plain text */ }
        reject(genericServerResponse(code, message || `the kubelet answered ${code}`));
      });
      res.on('error', reject);
    });
    req.on('error', (e) => reject(internal(`${opts.method === 'GET' ? 'Get' : opts.method} "${url}": ${e.message}`)));
    if (opts.signal) {
      if (opts.signal.aborted) req.destroy();
      else opts.signal.addEventListener('abort', () => req.destroy(), { once: true });
    }
    req.end(opts.body);
  });
}
