// An acknowledged write survives kill -9: the server is killed in the middle of a stream of creates, restarted,
// and every create that got a 201 is there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import { freePort } from './helpers/etcd.js';
import { readClusterPki } from '../src/pki/index.js';

const cli = resolve('bin/nanokube.js');

test('every create that got a 201 is there after the server is killed with SIGKILL', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'nanokube-kill9-'));
  const env = { ...process.env, NANOKUBE_HOME: home, KUBECONFIG: join(home, 'kubeconfig') };
  const port = await freePort();
  const nk = (...args: string[]) => execFileSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
  t.after(() => { try { nk('delete'); } catch { /* already gone */ } rmSync(home, { recursive: true, force: true }); });
  nk('start', '--api-port', String(port));
  const pki = readClusterPki(join(home, 'pki'))!;
  const agent = new https.Agent({ keepAlive: true, ca: pki.caCert, cert: pki.admin.cert, key: pki.admin.key, maxSockets: 8 });
  const post = (name: string) => new Promise<number>((resolvePost) => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { n: name } });
    const req = https.request(`https://127.0.0.1:${port}/api/v1/namespaces/default/configmaps`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume(); res.on('end', () => resolvePost(res.statusCode ?? 0)); res.on('error', () => resolvePost(0));
    });
    req.on('error', () => resolvePost(0));
    req.end(body);
  });
  const acknowledged: string[] = [];
  let next = 0;
  let killed = false;
  const pid = Number(readFileSync(join(home, 'server.pid'), 'utf8'));
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (!killed) {
      const name = `cm-${next++}`;
      const status = await post(name);
      if (status === 201) acknowledged.push(name);
      if (status === 0) return; // the server is gone
      if (acknowledged.length >= 300 && !killed) { killed = true; process.kill(pid, 'SIGKILL'); }
    }
  }));
  agent.destroy();
  assert.ok(acknowledged.length >= 300, `${acknowledged.length} creates acknowledged before the kill`);
  nk('start', '--api-port', String(port));
  const list = await new Promise<any>((resolveList, reject) => {
    https.get(`https://127.0.0.1:${port}/api/v1/namespaces/default/configmaps`, { ca: pki.caCert, cert: pki.admin.cert, key: pki.admin.key }, (res) => {
      let s = ''; res.on('data', (d) => { s += d; }); res.on('end', () => resolveList(JSON.parse(s)));
    }).on('error', reject);
  });
  const present = new Set(list.items.map((o: any) => o.metadata.name));
  const missing = acknowledged.filter((n) => !present.has(n));
  assert.deepEqual(missing, [], 'no acknowledged create is lost');
});
