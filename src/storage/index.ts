// The storage entry point for the apiserver: picks the backend from the configuration.
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from './backend.js';
import { EtcdStore } from './etcd/etcd-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

export * from './backend.js';
export { defaultCompactionIntervalMs, defaultRetainMs } from './periodic-compaction.js';

export interface OpenStoreOptions {
  /** Where the embedded SQLite database lives (`${dataDir}/state.db`); created if missing. */
  dataDir: string;
  /**
   * etcd client URLs, comma-separated ("http://10.0.0.1:2379,http://10.0.0.2:2379"). When set, the store
   * is etcd and dataDir is not used for state. Unreachable → rejects within ~5 s naming the endpoints.
   */
  datastoreEndpoint?: string;
  /** Periodic compaction interval (default 60 s; 0 disables). Keeps at least 5 minutes of history. */
  compactionIntervalMs?: number;
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const endpoints = (opts.datastoreEndpoint ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  if (endpoints.length > 0) {
    return EtcdStore.connect({ endpoints, intervalMs: opts.compactionIntervalMs });
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  return SqliteStore.open({ path: path.join(opts.dataDir, 'state.db'), intervalMs: opts.compactionIntervalMs });
}
