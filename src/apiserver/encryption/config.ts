// The EncryptionConfiguration file (upstream's --encryption-provider-config format, apiserver.config.k8s.io/v1),
// $NANOKUBE_HOME/encryption-config.yaml: made at first start with a fresh random aescbc key for Secrets followed
// by identity (so Secrets written before encryption was on still read), mode 0600. To rotate: add a new key first
// in the aescbc keys, restart, rewrite every Secret (`kubectl get secrets -A -o json | kubectl replace -f -`), then
// drop the old key and restart again.
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parse, stringify } from 'yaml';
import { aescbcProvider, aesgcmProvider, identityProvider, EncryptionError, ValueTransformer, type Provider } from './transformer.js';

export const ENCRYPTION_CONFIG_FILE = 'encryption-config.yaml';

/** Which storage keys one transformer applies to: /registry/secrets/ for "secrets", /registry/apps/deployments/ for "deployments.apps". */
export interface EncryptionRule { resource: string; prefix: string; transformer: ValueTransformer }

export function defaultEncryptionConfiguration(): Record<string, unknown> {
  return {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{
      resources: ['secrets'],
      providers: [{ aescbc: { keys: [{ name: 'key1', secret: randomBytes(32).toString('base64') }] } }, { identity: {} }],
    }],
  };
}

function storagePrefix(resource: string): string {
  if (resource.includes('*')) throw new EncryptionError(`resource "${resource}": wildcards are not supported; list resources by name`);
  const dot = resource.indexOf('.');
  return dot < 0 ? `/registry/${resource}/` : `/registry/${resource.slice(dot + 1)}/${resource.slice(0, dot)}/`;
}

function providersOf(list: unknown, where: string): Provider[] {
  if (!Array.isArray(list) || list.length === 0) throw new EncryptionError(`${where}.providers: Required value`);
  const out: Provider[] = [];
  list.forEach((p: any, i: number) => {
    const at = `${where}.providers[${i}]`;
    if (p?.identity !== undefined) { out.push(identityProvider()); return; }
    const kind = p?.aescbc ? 'aescbc' : p?.aesgcm ? 'aesgcm' : undefined;
    if (!kind) throw new EncryptionError(`${at}: only aescbc, aesgcm and identity are supported`);
    const keys = p[kind].keys;
    if (!Array.isArray(keys) || keys.length === 0) throw new EncryptionError(`${at}.${kind}.keys: Required value`);
    keys.forEach((k: any, j: number) => {
      if (!k?.name || typeof k.secret !== 'string') throw new EncryptionError(`${at}.${kind}.keys[${j}]: name and secret are required`);
      const key = Buffer.from(k.secret, 'base64');
      out.push(kind === 'aescbc' ? aescbcProvider(k.name, key) : aesgcmProvider(k.name, key));
    });
  });
  return out;
}

/** The rules of a parsed EncryptionConfiguration; throws EncryptionError with the path of what is wrong. */
export function encryptionRules(config: any): EncryptionRule[] {
  if (config?.kind !== 'EncryptionConfiguration') throw new EncryptionError('kind must be EncryptionConfiguration');
  const rules: EncryptionRule[] = [];
  (Array.isArray(config.resources) ? config.resources : []).forEach((r: any, i: number) => {
    const transformer = new ValueTransformer(providersOf(r?.providers, `resources[${i}]`));
    for (const res of Array.isArray(r?.resources) ? r.resources : []) {
      if (rules.some((x) => x.resource === res)) continue; // the first rule naming a resource wins, as upstream
      rules.push({ resource: String(res), prefix: storagePrefix(String(res)), transformer });
    }
  });
  return rules;
}

/** Reads <home>/encryption-config.yaml, writing a fresh one (mode 0600) first when it is missing. */
export function ensureEncryptionConfig(path: string): { rules: EncryptionRule[]; generated: boolean } {
  let generated = false;
  if (!existsSync(path)) {
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, stringify(defaultEncryptionConfiguration()), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
    generated = true;
  }
  let parsed: unknown;
  try { parsed = parse(readFileSync(path, 'utf8')); } catch (e) { throw new EncryptionError(`${path} is not valid YAML: ${(e as Error).message.split('\n')[0]}`); }
  try { return { rules: encryptionRules(parsed), generated }; }
  catch (e) { throw new EncryptionError(`${path}: ${(e as Error).message}`); }
}
