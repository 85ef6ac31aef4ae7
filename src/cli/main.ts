// The `nanokube` command (bin/nanokube.js imports this file; `nanokube start` also spawns it as `main.js server`).
// Each subcommand's module is imported only when that subcommand runs, so every command starts fast.
// Errors: one line on stderr, `nanokube: <what is wrong and what to do>`, exit 1 — never a stack trace
// (set NANOKUBE_DEBUG=1 to see one).

import { Command, InvalidArgumentError, Option } from 'commander';
import { CliError, describeError } from './errors.js';

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return n;
}

function clusterCidr(value: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value.trim());
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) < 8 || Number(m[5]) > 24) {
    throw new InvalidArgumentError('must be an IPv4 CIDR from /8 to /24, e.g. 10.244.0.0/16');
  }
  return value.trim();
}

function fail(err: unknown): never {
  if (process.env.NANOKUBE_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  const command = err instanceof CliError && err.command ? ` ${err.command}` : '';
  process.stderr.write(`nanokube${command}: ${describeError(err)}\n`);
  process.exit(err instanceof CliError ? err.exitCode : 1);
}

export function buildProgram(): Command {
  const program = new Command('nanokube')
    .description('A small, Kubernetes-compatible cluster on this machine')
    .showHelpAfterError('(run with --help for usage)');

  program.command('start')
    .description('Start the cluster (generates certificates on first start) and point kubectl at it')
    .option('--foreground', 'run the control plane in this terminal instead of in the background')
    .option('--api-port <port>', 'API server port (default 6443; remembered)', portNumber)
    .option('--listen-address <ip>', 'address the API server binds (default 127.0.0.1; remembered)')
    .option('--datastore-endpoint <url>', 'use an external etcd (e.g. http://127.0.0.1:2379) instead of the embedded SQLite (remembered)')
    .option('--simulated-nodes <n>', 'number of simulated nodes to add (remembered)', count)
    .option('--cluster-cidr <cidr>', 'IPv4 range the nodes\' pod CIDRs (/24 each) come from (default 10.244.0.0/16; remembered)', clusterCidr)
    .option('--ingress-http-port <port>', 'port the ingress controller serves HTTP on (default 80; 0 = off; remembered)', portNumber)
    .option('--ingress-https-port <port>', 'port the ingress controller serves HTTPS on (default 443; 0 = off; remembered)', portNumber)
    .option('--dashboard-port <port>', 'port the web dashboard listens on at 127.0.0.1 (default 0 = any free one; remembered)', portNumber)
    .option('--max-requests-inflight <n>', 'requests the API server executes at once, shared by the API Priority and Fairness levels (default 200; upstream: --max-requests-inflight + --max-mutating-requests-inflight; remembered)', count)
    .action(async (o: { foreground?: boolean; apiPort?: number; listenAddress?: string; datastoreEndpoint?: string; simulatedNodes?: number; clusterCidr?: string; ingressHttpPort?: number; ingressHttpsPort?: number; dashboardPort?: number; maxRequestsInflight?: number }) => {
      const { start } = await import('./commands/start.js');
      await start({ ...o, ...(o.clusterCidr ? { clusterCIDR: o.clusterCidr } : {}) });
    });

  program.command('stop')
    .description('Stop the cluster, keeping its state')
    .action(async () => { const { stop } = await import('./commands/stop.js'); await stop(); });

  program.command('delete')
    .description('Stop the cluster and remove its state and kubeconfig entries')
    .action(async () => { const { deleteCluster } = await import('./commands/delete.js'); await deleteCluster(); });

  program.command('status')
    .description('Show whether the cluster is running (exit code 0 when it is)')
    .action(async () => { const { status } = await import('./commands/status.js'); process.exitCode = await status(); });

  program.command('ip')
    .description('Print the IP address to reach NodePort services on')
    .action(async () => { const { ip } = await import('./commands/ip.js'); ip(); });

  program.command('service')
    .description('Print the URLs a NodePort or LoadBalancer Service answers on from this machine (as `minikube service`)')
    .argument('<name>', 'the Service')
    .option('--url', 'print only the URLs, one per port')
    .option('-n, --namespace <ns>', 'the Service\'s namespace', 'default')
    .action(async (name: string, o: { url?: boolean; namespace?: string }) => { const { service } = await import('./commands/service.js'); await service(name, o); });

  program.command('dashboard')
    .description('Open the web dashboard in the browser, already logged in (as `minikube dashboard`)')
    .option('--url', 'print only the URL (a one-time login link, valid for a minute) instead of opening a browser')
    .action(async (o: { url?: boolean }) => { const { dashboard } = await import('./commands/dashboard.js'); await dashboard(o); });

  program.command('kubeconfig')
    .description('Print a kubeconfig with a client certificate for a person, signed by the cluster CA (as `kubeadm kubeconfig user`)')
    .option('--user <name>', 'the user name (certificate CN)')
    .option('--group <group>', 'a group the user is in (certificate O); repeat for several', (v: string, acc: string[] = []) => [...acc, v])
    .option('--validity-period <duration>', 'how long the certificate is valid, e.g. 24h', '8760h')
    .option('--server <url>', 'the API server URL to put in the kubeconfig (default: this cluster\'s)')
    .option('-o, --output <file>', 'write the kubeconfig to this file (mode 0600) instead of stdout')
    .action(async (o) => { const { kubeconfig } = await import('./commands/kubeconfig.js'); await kubeconfig(o); });

  const node = program.command('node').description('Manage nodes of the running cluster');
  node.command('add')
    .description('Register more simulated nodes (pods on them are reported Running; no process runs)')
    .argument('[count]', 'how many', count, 1)
    .action(async (n: number) => { const { addNodes } = await import('./commands/node.js'); await addNodes(n); });

  const collect = (v: string, prev: string[] = []) => [...prev, v];
  const image = program.command('image').description('Manage images in nanokube\'s local store (works without a running cluster)');
  image.command('build')
    .description('Build an image from a Dockerfile into the local store')
    .argument('[dir]', 'the build context folder')
    .option('-t, --tag <name>', 'name and optionally a tag, NAME[:TAG] (repeatable)', collect)
    .option('-f, --file <file>', 'the Dockerfile (default DIR/Dockerfile)')
    .option('--build-arg <k=v>', 'set a build-time variable (repeatable)', collect)
    .action(async (dir: string | undefined, o: { tag?: string[]; file?: string; buildArg?: string[] }) => {
      const { imageBuild } = await import('./commands/image.js');
      await imageBuild(dir, o);
    });
  image.command('load')
    .description('Load an image from a `docker save` or OCI archive (tar or tar.gz)')
    .argument('<file>', 'the archive')
    .action(async (file: string) => { const { imageLoad } = await import('./commands/image.js'); await imageLoad(file); });
  image.command('save')
    .description('Write an image to an archive that `nanokube image load` and `docker load` read (OCI layout + manifest.json)')
    .argument('<image>', 'the image')
    .argument('<file>', 'the archive to write')
    .action(async (name: string, file: string) => { const { imageSave } = await import('./commands/image.js'); await imageSave(name, file); });
  image.command('ls').alias('list')
    .description('List the images in the local store')
    .option('--format <format>', 'table, short or json', 'table')
    .action(async (o: { format?: string }) => { const { imageList } = await import('./commands/image.js'); await imageList(o); });
  image.command('rm').alias('remove')
    .description('Remove images (names or IDs) from the local store')
    .argument('<image...>', 'images to remove')
    .action(async (names: string[]) => { const { imageRemove } = await import('./commands/image.js'); await imageRemove(names); });
  image.command('inspect')
    .description('Show an image\'s ID, names, config and layers as JSON')
    .argument('<image>', 'the image')
    .action(async (name: string) => { const { imageInspect } = await import('./commands/image.js'); await imageInspect(name); });

  // The server process itself (what `start` runs in the background). Flags default to the remembered config.
  program.addCommand(new Command('server')
    .description('run the control plane in the foreground (used by start)')
    .option('--api-port <port>', 'API server port', portNumber)
    .option('--listen-address <ip>', 'address the API server binds')
    .option('--datastore-endpoint <url>', 'external etcd URL')
    .addOption(new Option('--simulated-nodes <n>', 'simulated nodes').argParser(count))
    .option('--cluster-cidr <cidr>', 'cluster CIDR for node pod CIDRs', clusterCidr)
    .option('--no-node', 'run no real node (control plane and simulated nodes only)')
    .option('--ingress-http-port <port>', 'ingress HTTP port (0 = off)', portNumber)
    .option('--ingress-https-port <port>', 'ingress HTTPS port (0 = off)', portNumber)
    .option('--dashboard-port <port>', 'web dashboard port on 127.0.0.1 (0 = any free one)', portNumber)
    .option('--max-requests-inflight <n>', 'the API server\'s concurrency limit for API Priority and Fairness', count)
    .action(async (o: { apiPort?: number; listenAddress?: string; datastoreEndpoint?: string; simulatedNodes?: number; clusterCidr?: string; node?: boolean; ingressHttpPort?: number; ingressHttpsPort?: number; dashboardPort?: number; maxRequestsInflight?: number }) => {
      const [{ homePaths, loadConfig, resolveHome, defaultConfig, ingressPorts }, { runServer, stdoutLog }] = await Promise.all([
        import('./home.js'), import('../cmd/server.js'),
      ]);
      const paths = homePaths(resolveHome());
      const c = loadConfig(paths) ?? defaultConfig();
      const datastoreEndpoint = o.datastoreEndpoint ?? c.datastoreEndpoint;
      const simulatedNodes = o.simulatedNodes ?? c.simulatedNodes;
      const clusterCIDR = o.clusterCidr ?? c.clusterCIDR;
      // In the server, failures go to server.log as structured lines (start reads them back), not via fail().
      process.off('uncaughtException', fail);
      process.off('unhandledRejection', fail);
      process.on('uncaughtException', (err) => { stdoutLog({ level: 'error', msg: 'uncaught exception', error: describeError(err) }); process.exit(1); });
      process.on('unhandledRejection', (err) => { stdoutLog({ level: 'error', msg: 'unhandled rejection', error: describeError(err) }); process.exit(1); });
      await runServer({
        home: paths.home, port: o.apiPort ?? c.apiPort, listenAddress: o.listenAddress ?? c.listenAddress,
        ...(datastoreEndpoint ? { datastoreEndpoint } : {}), ...(simulatedNodes !== undefined ? { simulatedNodes } : {}),
        ...(clusterCIDR ? { clusterCIDR } : {}), node: o.node !== false,
        ...ingressPorts({ ingressHttpPort: o.ingressHttpPort ?? c.ingressHttpPort, ingressHttpsPort: o.ingressHttpsPort ?? c.ingressHttpsPort }),
        dashboard: { port: o.dashboardPort ?? c.dashboardPort ?? 0 },
        ...((o.maxRequestsInflight ?? c.maxRequestsInflight) !== undefined ? { flowControl: { serverConcurrencyLimit: (o.maxRequestsInflight ?? c.maxRequestsInflight)! } } : {}),
      }).catch(() => {
        // Already logged as one structured line by runServer; the exit code tells the supervisor.
        process.exit(1);
      });
      process.exit(0); // everything is closed; do not wait for stray handles
    }), { hidden: true });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    fail(err);
  }
}

await main(process.argv);
