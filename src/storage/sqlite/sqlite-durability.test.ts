import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from './sqlite-store.js';

test('sqlite: every acknowledged create survives kill -9 of the writing process', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanokube-durability-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'state.db');
  const writer = fileURLToPath(new URL('./durability-writer.js', import.meta.url));
  const child = spawn(process.execPath, [writer, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });

  // Kill it mid-stream, once it has acknowledged a good number of writes.
  let buffered = '';
  const acked: number[] = [];
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const l of lines) acked.push(Number(l));
    if (acked.length >= 300 && child.signalCode === null) child.kill('SIGKILL');
  });
  assert.equal(await exited, 'SIGKILL');
  assert.ok(acked.length >= 300, `writer acknowledged only ${acked.length} writes before exiting`);

  const store = SqliteStore.open({ path: file, intervalMs: 0 });
  t.after(() => store.close());
  const missing = [];
  for (const i of acked) if (!(await store.get(`/registry/configmaps/durability/k${i}`))) missing.push(i);
  assert.deepEqual(missing, [], 'acknowledged keys lost');
  // The store is usable after the crash: revisions continue above everything that was written.
  const count = await store.count('/registry/configmaps/durability/');
  assert.ok(count >= acked.length);
  const kv = await store.create('/registry/configmaps/durability/after', Buffer.from('{}'));
  assert.ok(kv.modRevision > count);
});
