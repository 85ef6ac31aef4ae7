// `nanokube service NAME [--url] [-n NS]`: the URLs a NodePort or LoadBalancer Service answers on from this machine,
// one per port, as `minikube service --url` prints them (http://<nanokube ip>:<nodePort>). Without --url, a small
// table as minikube's (nanokube opens no browser). Any other Service, or none, is a one-line error.
import { apiServerUrl, homePaths, loadConfig, resolveHome } from '../home.js';
import { CliError } from '../errors.js';
import { NODE_ACCESS_IP } from './ip.js';

interface ServicePortSpec { name?: string; port: number; nodePort?: number; protocol?: string; targetPort?: number | string }
type Service = { metadata?: { name?: string; namespace?: string }; spec?: { type?: string; ports?: ServicePortSpec[] } };

export async function service(name: string, o: { url?: boolean; namespace?: string }): Promise<void> {
  const namespace = o.namespace ?? 'default';
  const paths = homePaths(resolveHome());
  const config = loadConfig(paths);
  if (!config) throw new CliError('no nanokube cluster here; run `nanokube start` first', { command: 'service' });
  const [{ readClusterPki }, { Client, resources }, { httpTransport }, { isNotFound }] = await Promise.all([
    import('../../pki/index.js'), import('../../client/client.js'), import('../../client/transport.js'), import('../../api/errors.js'),
  ]);
  const pki = readClusterPki(paths.pki);
  if (!pki) throw new CliError(`no certificates in ${paths.pki}; run \`nanokube start\` first`, { command: 'service' });
  const client = new Client(httpTransport({ server: apiServerUrl(config), ca: pki.caCert, cert: pki.admin.cert, key: pki.admin.key }), { userAgent: 'nanokube-cli' });
  let svc: Service;
  try {
    svc = await client.get(resources.services, namespace, name) as Service;
  } catch (e) {
    if (isNotFound(e)) throw new CliError(`service '${name}' was not found in '${namespace}' namespace; select another namespace with \`nanokube service ${name} -n <namespace>\``, { command: 'service' });
    throw new CliError(`cannot reach the API server at ${apiServerUrl(config)} (${(e as Error).message}); is nanokube running? (nanokube status)`, { command: 'service' });
  }
  const urls = serviceURLs(svc, NODE_ACCESS_IP);
  if (!urls.length) {
    throw new CliError(`service ${namespace}/${name} has no node port (type ${svc.spec?.type ?? 'ClusterIP'}); only NodePort and LoadBalancer Services are reachable from this machine`, { command: 'service' });
  }
  if (o.url) { process.stdout.write(urls.map((u) => u.url + '\n').join('')); return; }
  const rows = [['NAMESPACE', 'NAME', 'TARGET PORT', 'URL'], ...urls.map((u) => [namespace, name, u.target, u.url])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |\n`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`;
  process.stdout.write(rule + line(rows[0]!) + rule + rows.slice(1).map(line).join('') + rule);
}

/** One URL per port with a nodePort (minikube: http://<ip>:<nodePort>, in the Service's port order). */
export function serviceURLs(svc: Service, ip: string): Array<{ url: string; target: string }> {
  const type = svc.spec?.type ?? 'ClusterIP';
  if (type !== 'NodePort' && type !== 'LoadBalancer') return [];
  return (svc.spec?.ports ?? []).filter((p) => p.nodePort).map((p) => ({
    url: `http://${ip}:${p.nodePort}`,
    target: p.name ? `${p.name}/${p.port}` : String(p.port),
  }));
}
