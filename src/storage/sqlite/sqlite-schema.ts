// The SQLite layout of the revision log (kine's shape): one row per write, never updated in place.
//   id              = the write's revision (AUTOINCREMENT: never reused, even after compaction deletes rows)
//   name            = the key
//   created/deleted = what the write did (created=1: first write since the key was absent; deleted=1: tombstone)
//   create_revision = revision at which the key was (last) created
//   prev_revision   = id of the previous row of this key (0 if none)
//   value           = the value written; for a tombstone, the value the key had before it was deleted
// The latest row per key (max id per name) is the key's current state; a read at revision R uses the
// max id <= R. Compaction at C deletes rows that are superseded by a newer row of the same key <= C and
// tombstones <= C, so a key costs one row plus its history above C.
import type { Database } from 'better-sqlite3';

export const schemaVersion = 1;

/**
 * Applies connection settings and creates the tables if needed.
 * - auto_vacuum=INCREMENTAL must be set before the first table exists; `PRAGMA incremental_vacuum` after
 *   compaction then really shrinks the file.
 * - WAL + synchronous=NORMAL: a COMMIT does not wait for the disk; the store fdatasyncs the WAL itself, on the
 *   thread pool, before it acknowledges any write of that commit (sqlite-store.ts), so an acknowledged write
 *   survives kill -9 and power loss as with synchronous=FULL. Checkpoints still sync the WAL and the database file
 *   before the WAL is reused (NORMAL does that).
 * - locking_mode=EXCLUSIVE: one process owns the database (the watch fan-out is in-process, so a second
 *   writer would be invisible to watchers); a second opener fails with "database is locked".
 */
export function prepareDatabase(db: Database): void {
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('journal_size_limit = 16777216');
  db.exec(`
    CREATE TABLE IF NOT EXISTS kv (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      created INTEGER NOT NULL,
      deleted INTEGER NOT NULL,
      create_revision INTEGER NOT NULL,
      prev_revision INTEGER NOT NULL,
      value BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS kv_name_id ON kv (name, id);
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ${schemaVersion}), ('compact_revision', 0);
  `);
}

export interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: Buffer;
}
