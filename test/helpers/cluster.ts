// A real nanokube control plane for black-box tests (the in-process cluster of src/cmd/cluster.ts over HTTPS): its
// own NANOKUBE_HOME, port 0, its own kubeconfig and HOME (so kubectl's discovery cache never leaks between tests or
// into the user's ~/.kube), stopped in t.after and its temporary home removed, also when the test fails.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { startCluster, type ClusterOptions } from '../../src/cmd/cluster.js';
import type { RunningControlPlane } from '../../src/cmd/server.js';
import { writeKubeconfigEntry } from '../../src/cli/kubeconfig.js';
import { httpTransport } from '../../src/client/transport.js';

export interface TestCluster {
  home: string;
  url: string;
  kubeconfig: string;
  plane: RunningControlPlane;
  pki: { ca: string; cert: string; key: string };
  kubectl(args: string[], opts?: { input?: string; kubectlBinary?: string; cwd?: string }): Promise<{ code: number; stdout: string; stderr: string }>;
  /** A fetch-like call with the admin certificate: returns status, headers and parsed JSON (or text). */
  request(method: string, path: string, opts?: { body?: unknown; contentType?: string; accept?: string; raw?: Buffer | string; anonymous?: boolean }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any; text: string }>;
  stop(): Promise<void>;
}

export interface TestClusterOptions { datastoreEndpoint?: string; home?: string; simulatedNodes?: number; nodeMonitorGracePeriodSeconds?: number; podGCQuarantineSeconds?: number;
  watcherCapacity?: number; components?: boolean;
  /** Bounds on slow clients of the API server (the fuzz test shortens them). */
  clientTimeouts?: ClusterOptions['clientTimeouts']; log?: (entry: Record<string, unknown>) => void;
  /** Run the real node `nanokube` (kubelet + sandbox runtime; its kubelet server on a free port). */
  node?: boolean;
  /** The cluster CIDR for node podCIDRs (tests with a real node pick one of their own so parallel runs never share a subnet). */
  clusterCIDR?: string;
  /** How often the metrics server reads every node (default 15 s). */
  metricsResolutionMs?: number;
  /** How often each HorizontalPodAutoscaler is evaluated, in seconds (default 15). */
  hpaSyncPeriodSeconds?: number;
  /** The cluster DNS's upstream resolvers (a fake one on 127.0.0.1); default the host's. */
  dnsUpstreams?: Array<{ host: string; port: number }>;
  /** Run the web dashboard on a free port (plane.dashboard; its URL also in <home>/dashboard.json). */
  dashboard?: boolean;
  /** API Priority and Fairness settings (the server's concurrency limit), or false for none. */
  flowControl?: { serverConcurrencyLimit?: number } | false }

export async function startTestCluster(t: { after(fn: () => unknown): void }, opts: TestClusterOptions = {}): Promise<TestCluster> {
  const cluster = await startCluster({ home: opts.home, datastoreEndpoint: opts.datastoreEndpoint, simulatedNodes: opts.simulatedNodes,
    nodeMonitorGracePeriodSeconds: opts.nodeMonitorGracePeriodSeconds, podGCQuarantineSeconds: opts.podGCQuarantineSeconds,
    watcherCapacity: opts.watcherCapacity, components: opts.components, node: opts.node, clusterCIDR: opts.clusterCIDR, dnsUpstreams: opts.dnsUpstreams,
    metricsResolutionMs: opts.metricsResolutionMs, hpaSyncPeriodSeconds: opts.hpaSyncPeriodSeconds, clientTimeouts: opts.clientTimeouts,
    ...(opts.dashboard ? { dashboard: { port: 0 } } : {}),
    ...(opts.flowControl !== undefined ? { flowControl: opts.flowControl } : {}),
    ...(opts.log ? { log: opts.log } : {}) });
  // stop() closes the control plane only (a test may restart one on the same home); t.after also removes a
  // temporary home.
  t.after(() => cluster.close());
  const home = cluster.home;
  const plane = cluster.plane!;
  const creds = cluster.admin!;
  const kubeconfig = join(home, 'kubeconfig');
  writeKubeconfigEntry({ path: kubeconfig, name: 'nanokube', server: plane.url, ...creds });
  const userHome = join(home, 'user');
  const stop = () => plane.close();
  const transport = httpTransport({ server: plane.url, ...creds });
  return {
    home, url: plane.url, kubeconfig, plane, pki: creds, stop,
    kubectl(args, o = {}) {
      return new Promise((resolve) => {
        const child = execFile(o.kubectlBinary ?? 'kubectl', args, {
          env: { ...process.env, KUBECONFIG: kubeconfig, HOME: userHome, KUBECACHEDIR: join(userHome, 'cache') },
          timeout: 60_000, maxBuffer: 16 * 1024 * 1024, cwd: o.cwd,
        }, (err, stdout, stderr) => {
          resolve({ code: err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0, stdout, stderr });
        });
        if (o.input !== undefined) { child.stdin!.end(o.input); }
      });
    },
    async request(method, path, o = {}) {
      const url = new URL(path, plane.url);
      const headers: Record<string, string> = { accept: o.accept ?? 'application/json' };
      let body: Buffer | undefined;
      if (o.raw !== undefined) body = Buffer.isBuffer(o.raw) ? o.raw : Buffer.from(o.raw);
      else if (o.body !== undefined) body = Buffer.from(JSON.stringify(o.body));
      if (body) { headers['content-type'] = o.contentType ?? 'application/json'; headers['content-length'] = String(body.length); }
      const https = await import('node:https');
      return new Promise((resolve, reject) => {
        const req = https.request(url, { method, headers, ca: creds.ca, ...(o.anonymous ? {} : { cert: creds.cert, key: creds.key }) }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: any = text;
            try { parsed = JSON.parse(text); } catch { /* not JSON */ }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text });
          });
        });
        req.on('error', reject);
        req.end(body);
      });
    },
  } satisfies TestCluster & { [k: string]: unknown } as TestCluster & { transport: typeof transport };
}

/** The seed's manifests, verbatim (examples/). */
export function example(name: string): string {
  return readFileSync(join(process.cwd(), 'examples', name), 'utf8');
}
export function examplePath(name: string): string { return join(process.cwd(), 'examples', name); }

/** `kubectl get <what> -o json`, parsed; throws with kubectl's stderr when it fails. */
export async function kubectlGet(c: TestCluster, what: string[]): Promise<any> {
  const r = await c.kubectl(['get', ...what, '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

/** Runs kubectl (with `input` on stdin when given); fails the test when kubectl does; returns its stdout. */
export async function kubectlOk(c: TestCluster, args: string[], input?: string): Promise<string> {
  const r = await c.kubectl(args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** `kubectl apply -f -` of one object; fails the test when kubectl does. */
export async function kubectlApply(c: TestCluster, obj: unknown): Promise<void> {
  const r = await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
  assert.equal(r.code, 0, r.stderr);
}

/** Runs the `nanokube` CLI (bin/nanokube.js) against the test cluster's home and kubeconfig. */
export function nanokubeCli(c: TestCluster, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(process.cwd(), 'bin', 'nanokube.js'), ...args], { env: { ...process.env, NANOKUBE_HOME: c.home, KUBECONFIG: c.kubeconfig }, timeout: 300_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0, stdout, stderr }));
  });
}
