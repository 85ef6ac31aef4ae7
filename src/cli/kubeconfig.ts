// Merging the cluster into the user's kubeconfig, as minikube does: a cluster, a user and a context all named
// `nanokube`, credentials embedded as base64 (*-data fields), and current-context switched to it. Everything else
// in the file (other clusters, preferences, extensions, comments) is kept: we edit the YAML document in place.
// The file is written atomically with mode 0600, since it holds a private key.

import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { Document, isMap, isSeq, parseDocument, YAMLSeq } from 'yaml';
import { CliError } from './errors.js';
import { displayPath } from './home.js';

/** The file kubectl writes to: the first path of $KUBECONFIG (a path list), else ~/.kube/config. */
export function kubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const first = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p.length > 0);
  return first ?? join(homedir(), '.kube', 'config');
}

export interface KubeconfigEntry {
  /** kubeconfig path to edit. */
  path: string;
  /** Name of the cluster, user and context. */
  name: string;
  /** API server URL, e.g. https://127.0.0.1:6443 */
  server: string;
  /** PEM of the CA, the client certificate and its key (embedded base64-encoded). */
  ca: string; cert: string; key: string;
  /** Context namespace (default "default"). */
  namespace?: string;
}

const b64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');

function load(path: string): Document {
  if (!existsSync(path)) return new Document({});
  const text = readFileSync(path, 'utf8');
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new CliError(`${displayPath(path)} is not valid YAML (${doc.errors[0]!.message.split('\n')[0]}); fix it or set KUBECONFIG to another file`);
  }
  if (doc.contents === null || doc.contents === undefined) return new Document({});
  if (!isMap(doc.contents)) throw new CliError(`${displayPath(path)} is not a kubeconfig (expected a mapping); fix it or set KUBECONFIG to another file`);
  return doc;
}

function save(path: string, doc: Document): void {
  // Write through a symlink (e.g. a dotfiles-managed ~/.kube/config) rather than replacing it.
  const target = existsSync(path) ? realpathSync(path) : path;
  mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
  const tmp = `${target}.nanokube-${process.pid}.tmp`;
  writeFileSync(tmp, doc.toString({ lineWidth: 0 }), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, target);
}

/** The named list (clusters/users/contexts), created when absent or null (kubectl writes `clusters: null`). */
function namedList(doc: Document, key: string): YAMLSeq {
  const node = doc.get(key, true);
  if (isSeq(node)) return node;
  const seq = new YAMLSeq();
  doc.set(key, seq);
  return seq;
}

function indexOfName(seq: YAMLSeq, name: string): number {
  return seq.items.findIndex((item) => isMap(item) && item.get('name') === name);
}

function upsert(doc: Document, key: string, name: string, value: Record<string, unknown>): void {
  const seq = namedList(doc, key);
  const node = doc.createNode(value);
  const i = indexOfName(seq, name);
  if (i >= 0) seq.items[i] = node; else seq.items.push(node);
}

/** Adds or replaces the cluster/user/context `name` and makes it the current context. */
export function writeKubeconfigEntry(e: KubeconfigEntry): void {
  const doc = load(e.path);
  if (!doc.has('apiVersion')) doc.set('apiVersion', 'v1');
  if (!doc.has('kind')) doc.set('kind', 'Config');
  upsert(doc, 'clusters', e.name, { cluster: { 'certificate-authority-data': b64(e.ca), server: e.server }, name: e.name });
  upsert(doc, 'contexts', e.name, { context: { cluster: e.name, namespace: e.namespace ?? 'default', user: e.name }, name: e.name });
  doc.set('current-context', e.name);
  if (!doc.has('preferences')) doc.set('preferences', doc.createNode({}));
  upsert(doc, 'users', e.name, { name: e.name, user: { 'client-certificate-data': b64(e.cert), 'client-key-data': b64(e.key) } });
  save(e.path, doc);
}

/** Removes the cluster/user/context `name`; unsets current-context if it pointed at it. False if nothing was there. */
export function removeKubeconfigEntry(opts: { path: string; name: string }): boolean {
  if (!existsSync(opts.path)) return false;
  const doc = load(opts.path);
  let changed = false;
  for (const key of ['clusters', 'contexts', 'users']) {
    const node = doc.get(key, true);
    if (!isSeq(node)) continue;
    const i = indexOfName(node, opts.name);
    if (i >= 0) { node.items.splice(i, 1); changed = true; }
  }
  if (doc.get('current-context') === opts.name) { doc.delete('current-context'); changed = true; }
  if (changed) save(opts.path, doc);
  return changed;
}

export type KubeconfigStatus = 'Configured' | 'Misconfigured';

/**
 * Configured when the context `name` exists and its cluster points at `server` (what minikube's status reports);
 * Misconfigured otherwise (missing, or an old port).
 */
export function kubeconfigStatus(opts: { path: string; name: string; server: string }): KubeconfigStatus {
  let doc: Document;
  try { doc = load(opts.path); } catch { return 'Misconfigured'; }
  const find = (key: string) => {
    const seq = doc.get(key, true);
    return isSeq(seq) ? seq.items.find((it) => isMap(it) && it.get('name') === opts.name) : undefined;
  };
  const context = find('contexts');
  const cluster = find('clusters');
  if (!isMap(context) || !isMap(cluster)) return 'Misconfigured';
  const server = (cluster.getIn(['cluster', 'server']) as unknown);
  return server === opts.server ? 'Configured' : 'Misconfigured';
}
