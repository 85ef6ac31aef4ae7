// Child process for the kill -9 durability test (sqlite-durability.test.ts): creates keys in a loop on the
// store at argv[2] and prints the index of each key right after its create was acknowledged.
// The write to stdout is synchronous, so a printed key was acknowledged before the next write began.
import fs from 'node:fs';
import { SqliteStore } from './sqlite-store.js';

const store = SqliteStore.open({ path: process.argv[2], intervalMs: 0 });
for (let i = 0; ; i++) {
  await store.create(`/registry/configmaps/durability/k${i}`, Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(200) })));
  fs.writeSync(1, `${i}\n`);
}
