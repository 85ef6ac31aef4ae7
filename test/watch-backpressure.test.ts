// A watcher that stops reading must not grow the server: the API server keeps at most a bounded number of events
// for it and then closes its watch, as upstream's watch cache does (the client re-watches or relists). Watchers
// that keep reading get every event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import { startTestCluster } from './helpers/cluster.js';

/** The most the kernel may buffer on one loopback connection (receive plus send buffer), so a test can outgrow it. */
function kernelBufferBytes(): number {
  const max = (f: string, dflt: number) => {
    try { return Number(readFileSync(`/proc/sys/net/ipv4/${f}`, 'utf8').trim().split(/\s+/)[2]) || dflt; } catch { return dflt; }
  };
  return max('tcp_rmem', 32 << 20) + max('tcp_wmem', 4 << 20);
}

test('watchers that stop reading are closed once they fall behind, while a reading watcher gets every event', { timeout: 180_000 }, async (t) => {
  const capacity = 20;
  const logs: Record<string, unknown>[] = [];
  // A watch that waits for a slow client many times must not pile listeners on its response.
  const warnings: string[] = [];
  const onWarning = (w: Error) => { if (w.name === 'MaxListenersExceededWarning') warnings.push(w.message); };
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  const c = await startTestCluster(t, { watcherCapacity: capacity, components: false, log: (e) => logs.push(e) });
  const rv = (await c.request('GET', '/api/v1/namespaces/default/configmaps')).body.metadata.resourceVersion;
  const open = () => new Promise<{ res: IncomingMessage; req: ReturnType<typeof https.request> }>((resolve, reject) => {
    const req = https.request(new URL(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`, c.url),
      { ca: c.pki.ca, cert: c.pki.cert, key: c.pki.key, agent: false }, (res) => resolve({ res, req }));
    req.on('error', reject);
    req.end();
  });
  const stalled = await Promise.all([open(), open(), open()]);
  for (const s of stalled) s.res.pause(); // these clients stop reading
  t.after(() => { for (const s of stalled) s.req.destroy(); });
  const reader = await open();
  t.after(() => reader.req.destroy());
  const seen: string[] = [];
  let waiting: { name: string; resolve: () => void; reject: (e: Error) => void } | undefined;
  const seenWrite = (name: string) => new Promise<void>((resolve, reject) => {
    if (seen.includes(`ADDED ${name}`)) return resolve();
    waiting = { name, resolve, reject };
  });
  reader.res.on('end', () => waiting?.reject(new Error(`the reading watcher was closed after ${seen.length} events`)));
  let buf = '';
  reader.res.setEncoding('utf8');
  reader.res.on('data', (d: string) => {
    buf += d;
    for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) {
      const ev = JSON.parse(buf.slice(0, i));
      seen.push(`${ev.type} ${ev.object.metadata.name}`);
      if (waiting && ev.object.metadata.name === waiting.name) { waiting.resolve(); waiting = undefined; }
    }
  });

  // Enough data that a client that does not read cannot absorb it in its socket buffers plus `capacity` events.
  const size = 512 * 1024;
  const writes = Math.ceil(((kernelBufferBytes() + capacity * size) / size) * 1.25);
  const payload = 'x'.repeat(size);
  const names = Array.from({ length: writes }, (_, i) => `cm-${i}`);
  // One write at a time, each seen by the reading watcher before the next, so that watcher never falls behind.
  for (const name of names) {
    const r = await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { payload } } });
    assert.equal(r.status, 201, r.text);
    await seenWrite(name);
  }

  assert.deepEqual([...seen].sort(), names.map((n) => `ADDED ${n}`).sort(), 'the reading watcher got every event, once');
  await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
  assert.deepEqual(warnings, [], 'no listener leak while waiting for slow watchers');
  const closed = logs.filter((e) => e.msg === 'watcher closed: fell behind');
  assert.equal(closed.length, stalled.length, 'each watcher that stopped reading was closed, and only those');
  assert.ok(closed.every((e) => e.resource === 'configmaps'));

  // When the stalled clients read again they get what was already sent, then the end of the stream.
  for (const s of stalled) {
    let events = 0;
    let rest = '';
    s.res.setEncoding('utf8');
    s.res.on('data', (d: string) => { rest += d; for (let i; (i = rest.indexOf('\n')) >= 0; rest = rest.slice(i + 1)) events++; });
    await new Promise<void>((resolve, reject) => { s.res.once('end', resolve); s.res.once('error', reject); s.res.resume(); });
    assert.ok(events < writes, `a closed watcher ends early (${events} of ${writes} events)`);
  }
});
