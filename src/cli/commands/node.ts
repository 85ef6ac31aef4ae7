// `nanokube node add [N]`: registers N more simulated nodes in the running cluster. It only creates Node objects
// (labelled type=simulated, named sim-node-<n>) through the API; the server's simulated kubelet takes them over,
// so the same works with `kubectl apply` of such a Node.
import { apiServerUrl, homePaths, loadConfig, resolveHome } from '../home.js';
import { CliError } from '../errors.js';

export async function addNodes(count: number): Promise<void> {
  const paths = homePaths(resolveHome());
  const config = loadConfig(paths);
  if (!config) throw new CliError('no nanokube cluster here; run `nanokube start` first');
  const [{ readClusterPki }, { Client, resources }, { httpTransport }, tpl] = await Promise.all([
    import('../../pki/index.js'), import('../../client/client.js'), import('../../client/transport.js'), import('../../kubelet/simulated/node-template.js'),
  ]);
  const pki = readClusterPki(paths.pki);
  if (!pki) throw new CliError(`no certificates in ${paths.pki}; run \`nanokube start\` first`);
  const client = new Client(httpTransport({ server: apiServerUrl(config), ca: pki.caCert, cert: pki.admin.cert, key: pki.admin.key }), { userAgent: 'nanokube-cli' });
  let existing;
  try {
    existing = await client.list(resources.nodes, { labelSelector: `${tpl.SIMULATED_LABEL}=${tpl.SIMULATED_LABEL_VALUE}` });
  } catch (e) {
    throw new CliError(`cannot reach the API server at ${apiServerUrl(config)} (${(e as Error).message}); is nanokube running? (nanokube status)`);
  }
  const prefix = 'sim-node-';
  let next = 0;
  for (const n of existing.items) { const i = tpl.nodeIndex(prefix, n.metadata?.name ?? ''); if (i !== undefined && i >= next) next = i + 1; }
  if (next + count > tpl.MAX_SIMULATED_NODES) throw new CliError(`at most ${tpl.MAX_SIMULATED_NODES} simulated nodes are supported`);
  const names: string[] = [];
  for (let i = next; i < next + count; i++) {
    const node = tpl.nodeObject({ name: tpl.nodeName(prefix, i), index: i, capacity: { ...tpl.defaultCapacity } }, Date.now());
    await client.create(resources.nodes, undefined, node as any);
    names.push(node.metadata!.name!);
  }
  process.stdout.write(`* Added ${count} simulated node${count === 1 ? '' : 's'}: ${names.join(', ')}\n`);
}
