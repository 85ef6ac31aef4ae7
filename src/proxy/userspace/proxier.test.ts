// The userspace proxier (no root needed): NodePort listeners in this process spread connections over the ready
// endpoints, keep a client on its endpoint with sessionAffinity ClientIP, relay UDP, and close when the Service goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import dgram from 'node:dgram';
import { UserspaceProxier } from './proxier.js';
import type { ServicePort, Endpoint } from '../service-ports.js';

const freePort = () => new Promise<number>((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); }); });
const backend = (name: string) => new Promise<{ port: number; close(): void }>((resolve) => {
  const s = net.createServer((c) => c.end(name)).listen(0, '127.0.0.1', () => resolve({ port: (s.address() as net.AddressInfo).port, close: () => s.close() }));
});
const ask = (port: number) => new Promise<string>((resolve, reject) => {
  const c = net.connect({ host: '127.0.0.1', port });
  let out = '';
  c.on('data', (b) => { out += b; });
  c.on('end', () => resolve(out));
  c.on('error', reject);
});
const sp = (nodePort: number, o: Partial<ServicePort> = {}): ServicePort => ({ key: 'default/web/tcp/', namespace: 'default', name: 'web', portName: '', protocol: 'TCP', port: 80, clusterIPs: ['10.96.0.9'], nodePort, externalAddresses: [], externalLocal: false, internalLocal: false, ...o });
const ep = (port: number, o: Partial<Endpoint> = {}): Endpoint => ({ ip: '127.0.0.1', port, ready: true, serving: true, terminating: false, ...o });

test('userspace proxier: a NodePort spreads connections over ready endpoints only, honours ClientIP affinity, and closes with its Service', async (t) => {
  const [a, b, c] = await Promise.all([backend('a'), backend('b'), backend('terminating')]);
  t.after(() => { a.close(); b.close(); c.close(); });
  const nodePort = await freePort();
  const p = new UserspaceProxier({ nodeName: 'nanokube', log: () => {}, bindAddress: '127.0.0.1' });
  t.after(() => p.stop());
  await p.sync({ full: true, services: new Map([['default/web', [{ sp: sp(nodePort), endpoints: [ep(a.port), ep(b.port), ep(c.port, { ready: false, terminating: true })] }]]]) });
  const seen = new Set<string>();
  for (let i = 0; i < 60 && seen.size < 2; i++) seen.add(await ask(nodePort));
  assert.deepEqual([...seen].sort(), ['a', 'b']);
  for (let i = 0; i < 10; i++) assert.notEqual(await ask(nodePort), 'terminating');

  await p.sync({ full: false, services: new Map([['default/web', [{ sp: sp(nodePort, { affinitySeconds: 60 }), endpoints: [ep(a.port), ep(b.port)] }]]]) });
  const first = await ask(nodePort);
  for (let i = 0; i < 10; i++) assert.equal(await ask(nodePort), first, 'the same client stays on its endpoint');

  await p.sync({ full: false, services: new Map([['default/web', []]]) });
  await assert.rejects(ask(nodePort), /ECONNREFUSED/);
});

test('userspace proxier: UDP datagrams reach the endpoint and replies come back to the client', async (t) => {
  const echo = dgram.createSocket('udp4');
  echo.on('message', (m, r) => echo.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
  t.after(() => echo.close());
  const nodePort = await freePort();
  const p = new UserspaceProxier({ nodeName: 'nanokube', log: () => {}, bindAddress: '127.0.0.1' });
  t.after(() => p.stop());
  await p.sync({ full: true, services: new Map([['default/dns', [{ sp: sp(nodePort, { protocol: 'UDP', key: 'default/dns/udp/' }), endpoints: [ep(echo.address().port)] }]]]) });
  const client = dgram.createSocket('udp4');
  t.after(() => client.close());
  const reply = new Promise<string>((resolve) => client.once('message', (m) => resolve(m.toString())));
  client.send('ping', nodePort, '127.0.0.1');
  assert.equal(await reply, 'echo:ping');
});
