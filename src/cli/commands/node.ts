// `nanokube node add [N]`: registers N more simulated nodes in the running cluster. It only creates Node objects
// (labelled type=simulated, named sim-node-<n>) through the API; the server's simulated kubelet takes them over,
// so the same works with `kubectl apply` of such a Node.
import { apiServerUrl, homePaths, loadConfig, resolveHome } from '../home.js';
import { CliError } from '../errors.js';

export async function addNodes(count: number): Promise<void> {
  const paths = homePaths(resolveHome());
  const config = loadConfig(paths);
  if (!config) throw new CliError('no nanokube cluster here; run `nanokube start` first');
  const [{ readClusterPki }, { Client, resources }, { httpTransport }, kubelet] = await Promise.all([
    import('../../pki/index.js'), import('../../client/client.js'), import('../../client/transport.js'), import('../../kubelet/index.js'),
  ]);
  const pki = readClusterPki(paths.pki);
  if (!pki) throw new CliError(`no certificates in ${paths.pki}; run \`nanokube start\` first`);
  const client = new Client(httpTransport({ server: apiServerUrl(config), ca: pki.caCert, cert: pki.admin.cert, key: pki.admin.key }), { userAgent: 'nanokube-cli' });
  let existing;
  try {
    existing = await client.list(resources.nodes, { labelSelector: `${kubelet.SIMULATED_LABEL}=${kubelet.SIMULATED_LABEL_VALUE}` });
  } catch (e) {
    throw new CliError(`cannot reach the API server at ${apiServerUrl(config)} (${(e as Error).message}); is nanokube running? (nanokube status)`);
  }
  let nodes;
  try {
    nodes = kubelet.nextSimulatedNodes(existing.items.map((n) => n.metadata?.name ?? ''), count, Date.now());
  } catch (e) { throw new CliError((e as Error).message); }
  const names: string[] = [];
  for (const node of nodes) {
    await client.create(resources.nodes, undefined, node as any);
    names.push(node.metadata!.name!);
  }
  process.stdout.write(`* Added ${count} simulated node${count === 1 ? '' : 's'}: ${names.join(', ')}\n`);
}
