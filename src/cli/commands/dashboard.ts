// `nanokube dashboard [--url]`: opens the web dashboard in the browser already logged in, as `minikube dashboard` does.
// With the admin certificate it makes sure the ServiceAccount kube-system/nanokube-dashboard exists, bound to the
// cluster-admin ClusterRole (whoever holds the admin kubeconfig may have that anyway), asks the API for a short-lived
// token of it (TokenRequest, DASHBOARD_TOKEN_SECONDS), and trades that with the dashboard for a one-time login code.
// The URL carries only the code, never the token: used once or after a minute it logs nobody in.
import { spawn } from 'node:child_process';
import { CliError } from '../errors.js';
import { homePaths, resolveHome } from '../home.js';

export const DASHBOARD_NAMESPACE = 'kube-system';
export const DASHBOARD_SERVICE_ACCOUNT = 'nanokube-dashboard';
/** The token's lifetime; the dashboard session ends with it (upstream's minimum is 600 s). */
export const DASHBOARD_TOKEN_SECONDS = 3600;

const say = (line: string) => process.stdout.write(`* ${line}\n`);

export async function dashboard(o: { url?: boolean }): Promise<void> {
  const paths = homePaths(resolveHome());
  const [{ readClusterPki }, { Client }, { httpTransport }, { isAlreadyExists }, { readDashboardInfo }] = await Promise.all([
    import('../../pki/index.js'), import('../../client/client.js'), import('../../client/transport.js'), import('../../api/errors.js'),
    import('../../dashboard/index.js'),
  ]);
  // The server writes dashboard.json once its dashboard listens and removes it when it stops.
  const info = readDashboardInfo(paths.home);
  if (!info) {
    throw new CliError('nanokube is not running (or runs without its dashboard); run `nanokube start` first', { command: 'dashboard' });
  }
  const pki = readClusterPki(paths.pki);
  if (!pki) throw new CliError(`no certificates in ${paths.pki}; run \`nanokube start\` first`, { command: 'dashboard' });
  const client = new Client(httpTransport({ server: info.apiServer, ca: pki.caCert, cert: pki.admin.cert, key: pki.admin.key }), { userAgent: 'nanokube-cli' });

  const ensure = async (path: string, body: unknown) => {
    try { await client.requestJson({ method: 'POST', path, body }); } catch (e) { if (!isAlreadyExists(e)) throw e; }
  };
  let token: string;
  try {
    await ensure(`/api/v1/namespaces/${DASHBOARD_NAMESPACE}/serviceaccounts`, {
      apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DASHBOARD_SERVICE_ACCOUNT, namespace: DASHBOARD_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'nanokube' } },
    });
    await ensure('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
      metadata: { name: DASHBOARD_SERVICE_ACCOUNT, labels: { 'app.kubernetes.io/managed-by': 'nanokube' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: DASHBOARD_SERVICE_ACCOUNT, namespace: DASHBOARD_NAMESPACE }],
    });
    const tr = await client.requestJson<{ status?: { token?: string } }>({
      method: 'POST', path: `/api/v1/namespaces/${DASHBOARD_NAMESPACE}/serviceaccounts/${DASHBOARD_SERVICE_ACCOUNT}/token`,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: DASHBOARD_TOKEN_SECONDS } },
    });
    if (!tr.status?.token) throw new Error('the TokenRequest returned no token');
    token = tr.status.token;
  } catch (e) {
    throw new CliError(`cannot get a dashboard token from the API server at ${info.apiServer} (${(e as Error).message}); is nanokube running? (nanokube status)`, { command: 'dashboard' });
  }

  let code: string;
  try {
    const r = await fetch(new URL('/auth/codes', info.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    const body = await r.json() as { code?: string; message?: string };
    if (!r.ok || !body.code) throw new Error(body.message ?? `HTTP ${r.status}`);
    code = body.code;
  } catch (e) {
    throw new CliError(`the dashboard at ${info.url} did not answer (${(e as Error).message}); is nanokube running? (nanokube status)`, { command: 'dashboard' });
  }
  const url = `${info.url}/auth/code?code=${encodeURIComponent(code)}`;
  if (o.url) { process.stdout.write(url + '\n'); return; }
  if (await openBrowser(url)) { say(`Opening ${info.url} in your default browser...`); return; }
  say('No browser can be opened here; open this link (it logs you in once, within a minute):');
  process.stdout.write(url + '\n');
}

/** Starts the desktop's URL opener; false when there is none (a server without a desktop). */
function openBrowser(url: string): Promise<boolean> {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]]
    : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]]
    : ['xdg-open', [url]];
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => resolve(false));
    child.on('spawn', () => { child.unref(); resolve(true); });
  });
}
