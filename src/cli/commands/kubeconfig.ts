// `nanokube kubeconfig --user NAME [--group G]... [--validity-period 8760h] [--server URL] [--output FILE]`: a
// kubeconfig for a person, with a client certificate for CN=NAME, O=each group, signed by the cluster CA, as
// `kubeadm kubeconfig user --client-name NAME --org G` makes one. Printed on stdout (redirect it, as with kubeadm)
// or written to --output with mode 0600. What the user may do is up to RBAC: the certificate only says who they are.
import { chmodSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { apiServerUrl, homePaths, loadConfig, resolveHome, CLUSTER_NAME } from '../home.js';
import { CliError } from '../errors.js';

export interface KubeconfigOptions { user?: string; group?: string[]; validityPeriod?: string; server?: string; output?: string }

/** Go's time.ParseDuration for the units that make sense here (h, m, s), e.g. "8760h", "720h30m". */
export function parseDuration(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(h|m|s)/y;
  let total = 0, pos = 0;
  if (!s) return undefined;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * ({ h: 3600, m: 60, s: 1 } as Record<string, number>)[m[2]!]!;
    pos = re.lastIndex;
  }
  return total;
}

export async function kubeconfig(o: KubeconfigOptions): Promise<void> {
  const fail = (m: string) => new CliError(m, { command: 'kubeconfig' });
  const user = o.user?.trim();
  if (!user) throw fail('--user is required (the user name the certificate carries, e.g. --user jane)');
  const groups = o.group ?? [];
  const seconds = parseDuration(o.validityPeriod ?? '8760h');
  if (!seconds || seconds < 600) throw fail(`invalid --validity-period "${o.validityPeriod}": give a duration of at least 10m, e.g. 24h or 8760h`);
  const paths = homePaths(resolveHome());
  const config = loadConfig(paths);
  const server = o.server ?? (config ? apiServerUrl(config) : undefined);
  if (!server) throw fail('no nanokube cluster here; run `nanokube start` first (or pass --server URL)');
  const { readClusterPki, issueClientCertificate } = await import('../../pki/index.js');
  const pki = readClusterPki(paths.pki);
  if (!pki) throw fail(`no cluster CA in ${paths.pki}; run \`nanokube start\` first`);
  const pair = await issueClientCertificate(pki.ca, { user, groups, validityDays: seconds / 86400 });
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const context = `${user}@${CLUSTER_NAME}`;
  const text = stringify({
    apiVersion: 'v1', kind: 'Config',
    clusters: [{ name: CLUSTER_NAME, cluster: { 'certificate-authority-data': b64(pki.caCert), server } }],
    contexts: [{ name: context, context: { cluster: CLUSTER_NAME, user } }],
    'current-context': context,
    preferences: {},
    users: [{ name: user, user: { 'client-certificate-data': b64(pair.cert), 'client-key-data': b64(pair.key) } }],
  }, { lineWidth: 0 });
  if (!o.output) { process.stdout.write(text); return; }
  try {
    writeFileSync(o.output, text, { mode: 0o600 });
    chmodSync(o.output, 0o600);
  } catch (e) {
    throw fail(`cannot write ${o.output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
