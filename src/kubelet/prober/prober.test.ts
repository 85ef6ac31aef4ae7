import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as NetServer } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import { realClock } from '../../client/clock.js';
import { FakeClock, settle } from '../../client/testing.js';
import { decodeHealthCheckRequest, encodeHealthCheckResponse, HEALTH_CHECK_METHOD, decodeHealthCheckResponse, encodeHealthCheckRequest } from './grpc-probe.js';
import { LifecycleHandlerRunner, ProbeManager, runProbe, type ProbeOutcome, type ProbeUpdate } from './index.js';
import { hostExecRunner } from './testing.js';

type After = { after(fn: () => unknown): void };

async function httpServer(t: After, handler: (path: string, headers: IncomingHttpHeaders) => { status: number; location?: string } | 'hang') {
  const seen: IncomingHttpHeaders[] = [];
  const srv = createServer((req, res) => {
    seen.push(req.headers);
    const r = handler(req.url ?? '', req.headers);
    if (r === 'hang') return;
    res.writeHead(r.status, r.location ? { location: r.location } : {});
    res.end(`body of ${req.url}`);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => { srv.closeAllConnections(); srv.close(); });
  return { port: (srv.address() as AddressInfo).port, seen };
}

async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const target = (container: Container = { name: 'app' }) => ({ container, containerId: 'cid', podIP: '127.0.0.1', runtime: hostExecRunner(), clock: realClock });

test('httpGet probes: 2xx/3xx succeed with kube-probe/1.32 and the probe headers, 500 fails with upstream text, named ports resolve', async (t) => {
  const { port, seen } = await httpServer(t, (path) => (path === '/healthz' ? { status: 200 } : path === '/moved' ? { status: 302, location: '/healthz' } : { status: 500 }));
  const c: Container = { name: 'app', ports: [{ name: 'http', containerPort: port }] };
  assert.deepEqual(await runProbe({ httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } }, target(c)), { result: 'success', output: 'body of /healthz' });
  assert.equal(seen[0]['user-agent'], 'kube-probe/1.32');
  assert.equal(seen[0]['x-probe'], 'yes');
  assert.equal(seen[0].accept, '*/*');
  assert.deepEqual(await runProbe({ httpGet: { path: '/moved', port } }, target()), { result: 'success', output: 'body of /healthz' });
  assert.deepEqual(await runProbe({ httpGet: { path: '/broken', port } }, target()), { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
  const closed = await freePort();
  assert.deepEqual(await runProbe({ httpGet: { path: '/healthz', port: closed } }, target()),
    { result: 'failure', output: `Get "http://127.0.0.1:${closed}/healthz": dial tcp 127.0.0.1:${closed}: connect: connection refused` });
  assert.deepEqual(await runProbe({ httpGet: { port: 'nope' } }, target(c)), { result: 'error', output: "couldn't find port: nope in container app" });
});

test('an httpGet probe that gets no answer fails when timeoutSeconds pass on the clock', async (t) => {
  const { port } = await httpServer(t, () => 'hang');
  const clock = new FakeClock();
  const p = runProbe({ httpGet: { path: '/slow', port }, timeoutSeconds: 2 }, { ...target(), clock });
  await settle();
  await clock.stepAsync(2000);
  assert.deepEqual(await p, { result: 'failure', output: `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
});

test('tcpSocket probes: an open port succeeds, a closed one fails with Go\'s dial text', async (t) => {
  const srv: NetServer = createTcpServer((s) => s.end());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => srv.close());
  const port = (srv.address() as AddressInfo).port;
  assert.equal((await runProbe({ tcpSocket: { port } }, target())).result, 'success');
  const closed = await freePort();
  assert.deepEqual(await runProbe({ tcpSocket: { port: closed } }, target()), { result: 'failure', output: `dial tcp 127.0.0.1:${closed}: connect: connection refused` });
});

test('exec probes: exit 0 succeeds, another exit fails quoting the output, a command that never ends times out', async () => {
  assert.equal((await runProbe({ exec: { command: ['sh', '-c', 'exit 0'] } }, target())).result, 'success');
  assert.deepEqual(await runProbe({ exec: { command: ['sh', '-c', 'echo not healthy; exit 1'] } }, target()), { result: 'failure', output: 'not healthy\n' });
  const clock = new FakeClock();
  const silent = { execSync: () => new Promise<never>(() => undefined) }; // a runtime that never answers
  const p = runProbe({ exec: { command: ['sleep', '5'] }, timeoutSeconds: 1 }, { ...target(), runtime: silent, clock });
  await clock.stepAsync(2000);
  assert.deepEqual(await p, { result: 'failure', output: 'command "sleep 5" timed out' });
  assert.equal(clock.pending, 0);
});

test('grpc probes: SERVING succeeds, NOT_SERVING fails, a server without the health service says so', async (t) => {
  assert.equal(decodeHealthCheckRequest(encodeHealthCheckRequest('svc')), 'svc');
  assert.equal(decodeHealthCheckResponse(encodeHealthCheckResponse(2)), 2);
  const server = new grpc.Server();
  const agents: string[] = [];
  server.addService({
    Check: {
      path: HEALTH_CHECK_METHOD, requestStream: false, responseStream: false,
      // The request is wrapped in an object: grpc-js treats a falsy decoded request ('') as no request at all.
      requestSerialize: (r: { service: string }) => encodeHealthCheckRequest(r.service), requestDeserialize: (b: Buffer) => ({ service: decodeHealthCheckRequest(b) }),
      responseSerialize: encodeHealthCheckResponse, responseDeserialize: decodeHealthCheckResponse,
    },
  } as grpc.ServiceDefinition, {
    Check: (call: grpc.ServerUnaryCall<{ service: string }, number>, cb: grpc.sendUnaryData<number>) => {
      agents.push(String(call.metadata.get('user-agent')[0]));
      cb(null, call.request.service === 'down' ? 2 : 1);
    },
  });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  t.after(() => server.forceShutdown());
  assert.deepEqual(await runProbe({ grpc: { port } }, target()), { result: 'success', output: 'service is healthy' });
  assert.match(agents[0], /^kube-probe\/1\.32/);
  assert.deepEqual(await runProbe({ grpc: { port, service: 'down' } }, target()), { result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' });

  const bare = new grpc.Server();
  const bport = await new Promise<number>((res, rej) => bare.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  t.after(() => bare.forceShutdown());
  const r = await runProbe({ grpc: { port: bport } }, target());
  assert.equal(r.result, 'failure');
  assert.match(r.output, /^error: this server does not implement the grpc health protocol \(grpc\.health\.v1\.Health\)/);
});

// --- the manager's rules, with scripted outcomes on a fake clock ---------------------------------------------

function managerSetup(script: (type: string, containerId: string, n: number) => ProbeOutcome) {
  const clock = new FakeClock();
  const events: string[] = [];
  const updates: ProbeUpdate[] = [];
  const calls: string[] = [];
  const counts = new Map<string, number>();
  const m = new ProbeManager({
    runtime: hostExecRunner(), clock,
    recordEvent: (_p, c, type, reason, message) => events.push(`${type} ${reason} ${c.name}: ${message}`),
    onUpdate: (u) => updates.push(u),
    runProbe: async (probe: Probe, t) => {
      const type = probe === t.container.livenessProbe ? 'liveness' : probe === t.container.readinessProbe ? 'readiness' : 'startup';
      const key = `${type}/${t.containerId}`;
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      calls.push(key);
      return script(type, t.containerId, n);
    },
  });
  return { clock, events, updates, calls, m };
}

const probePod = (c: Container): Pod => ({ metadata: { namespace: 'default', name: 'web', uid: 'u1' }, spec: { containers: [c] }, status: { podIP: '10.244.0.7' } });
const ok = { result: 'success', output: '' } as const;
const bad = (o: string) => ({ result: 'failure', output: o }) as const;

test('readiness: false until the first success, false again after failureThreshold failures in a row', async () => {
  const c: Container = { name: 'app', readinessProbe: { httpGet: { port: 80 }, periodSeconds: 5, failureThreshold: 2 } };
  const { clock, m, events, updates } = managerSetup((_t, _id, n) => (n === 1 || n >= 4 ? (n >= 4 ? bad('HTTP probe failed with statuscode: 503') : ok) : ok));
  const pod = probePod(c);
  assert.equal(m.ready(pod, c), false, 'not ready before the manager knows the pod');
  m.sync(pod, [{ name: 'app', containerId: 'c1' }]);
  await settle();
  assert.equal(m.ready(pod, c), true);
  await clock.stepAsync(5000); // run 2: ok
  await clock.stepAsync(5000); // run 3: ok
  await clock.stepAsync(5000); // run 4: failure 1 of 2
  assert.equal(m.ready(pod, c), true);
  await clock.stepAsync(5000); // run 5: failure 2 of 2
  assert.equal(m.ready(pod, c), false);
  assert.deepEqual(updates.map((u) => `${u.probeType}=${u.result}`), ['readiness=failure', 'readiness=success', 'readiness=failure']);
  assert.equal(events[0], 'Warning Unhealthy app: Readiness probe failed: HTTP probe failed with statuscode: 503');
  m.stop();
  assert.equal(clock.pending, 0, 'no timer is left');
});

test('liveness: failureThreshold failures ask for one restart, the new instance starts fresh', async () => {
  const c: Container = { name: 'app', livenessProbe: { exec: { command: ['true'] }, periodSeconds: 10, failureThreshold: 3 } };
  const { clock, m, events } = managerSetup((_t, id) => (id === 'c1' ? bad('HTTP probe failed with statuscode: 500') : ok));
  const pod = probePod(c);
  m.sync(pod, [{ name: 'app', containerId: 'c1' }]);
  await settle();
  await clock.stepAsync(10_000);
  assert.equal(m.takeRestart(pod, c, 'c1'), undefined, 'two failures are below the threshold');
  await clock.stepAsync(10_000);
  assert.equal(m.takeRestart(pod, c, 'c1'), 'Container app failed liveness probe, will be restarted');
  assert.equal(m.takeRestart(pod, c, 'c1'), undefined, 'only once');
  await clock.stepAsync(30_000);
  assert.equal(events.length, 3, 'on hold after the failure: no more probing of that instance');
  assert.equal(events[0], 'Warning Unhealthy app: Liveness probe failed: HTTP probe failed with statuscode: 500');
  m.sync(pod, [{ name: 'app', containerId: 'c2' }]);
  await settle();
  await clock.stepAsync(30_000);
  assert.equal(m.takeRestart(pod, c, 'c2'), undefined);
  m.stop();
});

test('a container just started (not yet listed to the manager) is started, and ready unless a probe says otherwise', () => {
  const { m } = managerSetup(() => ok);
  const plain: Container = { name: 'plain' };
  const gated: Container = { name: 'gated', readinessProbe: { exec: { command: ['true'] } }, startupProbe: { exec: { command: ['true'] } } };
  const pod: Pod = { ...probePod(plain), spec: { containers: [plain, gated] } };
  m.sync(pod, []);
  assert.equal(m.started(pod, plain), true);
  assert.equal(m.ready(pod, plain), true);
  assert.equal(m.started(pod, gated), false);
  assert.equal(m.ready(pod, gated), false);
  m.stop();
});

test('a probe that cannot run (runtime exec error) is reported but never counts toward a restart', async () => {
  const c: Container = { name: 'app', livenessProbe: { exec: { command: ['true'] }, periodSeconds: 1, failureThreshold: 1 } };
  const { clock, m, events } = managerSetup(() => ({ result: 'error', output: 'container not running' }));
  const pod = probePod(c);
  m.sync(pod, [{ name: 'app', containerId: 'c1' }]);
  await settle();
  await clock.stepAsync(3000);
  assert.equal(m.takeRestart(pod, c, 'c1'), undefined);
  assert.equal(events[0], 'Warning Unhealthy app: Liveness probe errored and resulted in unknown state: container not running');
  m.stop();
});

test('startup gates liveness and readiness, and initialDelaySeconds delays probing', async () => {
  const c: Container = {
    name: 'app',
    startupProbe: { tcpSocket: { port: 80 }, periodSeconds: 1, failureThreshold: 30 },
    livenessProbe: { tcpSocket: { port: 80 }, periodSeconds: 1, initialDelaySeconds: 0 },
    readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 1, initialDelaySeconds: 5 },
  };
  const { clock, m, calls } = managerSetup((type, _id, n) => (type === 'startup' && n < 3 ? bad('dial tcp 10.244.0.7:80: connect: connection refused') : ok));
  const pod = probePod(c);
  m.sync(pod, [{ name: 'app', containerId: 'c1' }]);
  await settle();
  assert.equal(m.started(pod, c), false);
  await clock.stepAsync(1000);
  assert.equal(calls.some((x) => !x.startsWith('startup')), false, 'nothing but startup runs before it succeeds');
  await clock.stepAsync(1000); // third startup run succeeds
  assert.equal(m.started(pod, c), true);
  await clock.stepAsync(1000);
  assert.ok(calls.includes('liveness/c1'));
  assert.equal(calls.includes('readiness/c1'), false, 'readiness waits for its initial delay');
  assert.equal(calls.filter((x) => x.startsWith('startup')).length, 3, 'startup stops once it has succeeded');
  await clock.stepAsync(3000);
  assert.ok(calls.includes('readiness/c1'));
  assert.equal(m.ready(pod, c), true);
  m.removePod('u1');
  assert.equal(clock.pending, 0);
});

test('network probes wait for the pod IP; a real httpGet readiness probe then makes the container ready', async (t) => {
  const { port } = await httpServer(t, () => ({ status: 200 }));
  const c: Container = { name: 'app', readinessProbe: { httpGet: { path: '/', port } } };
  const m = new ProbeManager({ runtime: hostExecRunner(), clock: new FakeClock() });
  t.after(() => m.stop());
  const pod: Pod = { ...probePod(c), status: {} };
  m.sync(pod, [{ name: 'app', containerId: 'c1' }]);
  await settle();
  assert.equal(m.ready(pod, c), false, 'no pod IP yet: not probed, not ready');
  m.sync(pod, [{ name: 'app', containerId: 'c1' }], '127.0.0.1');
  for (let i = 0; i < 100 && !m.ready(pod, c); i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(m.ready(pod, c), true);
});

test('lifecycle handlers: exec failure text as upstream, httpGet with kube-lifecycle/1.32, sleep on the clock', async (t) => {
  const pod = probePod({ name: 'app' });
  const c: Container = { name: 'app' };
  const runner = new LifecycleHandlerRunner({ runtime: hostExecRunner() });
  await runner.run(pod, c, 'cid', { exec: { command: ['sh', '-c', 'exit 0'] } }, '127.0.0.1', 30);
  await assert.rejects(runner.run(pod, c, 'cid', { exec: { command: ['sh', '-c', 'echo oops >&2; exit 3'] } }, '127.0.0.1', 30), {
    message: 'Exec lifecycle hook ([sh -c echo oops >&2; exit 3]) for Container "app" in Pod "web_default(u1)" failed - error: command \'sh -c echo oops >&2; exit 3\' exited with 3: oops\n, message: "oops\\n"',
  });
  const { port, seen } = await httpServer(t, () => ({ status: 500 }));
  await runner.run(pod, c, 'cid', { httpGet: { path: '/shutdown', port } }, '127.0.0.1', 30);
  assert.equal(seen[0]['user-agent'], 'kube-lifecycle/1.32');
  const closed = await freePort();
  await assert.rejects(runner.run(pod, c, 'cid', { httpGet: { path: '/x', port: closed } }, '127.0.0.1', 30),
    { message: `HTTP lifecycle hook (/x) for Container "app" in Pod "web_default(u1)" failed - error: Get "http://127.0.0.1:${closed}/x": dial tcp 127.0.0.1:${closed}: connect: connection refused` });

  const clock = new FakeClock();
  const sleeper = new LifecycleHandlerRunner({ runtime: hostExecRunner(), clock });
  let done = false;
  const p = sleeper.run(pod, c, 'cid', { sleep: { seconds: 5 } } as never, undefined, 30).then(() => { done = true; });
  await clock.stepAsync(4000);
  assert.equal(done, false);
  await clock.stepAsync(1000);
  await p;
  assert.equal(done, true);
  const q = sleeper.run(pod, c, 'cid', { sleep: { seconds: 60 } } as never, undefined, 2).then(() => undefined, (e: Error) => e);
  await clock.stepAsync(2000);
  assert.match(String((await q)?.message), /^Sleep lifecycle hook \(60\) for Container "app" in Pod "web_default\(u1\)" failed - error: container terminated before sleep hook finished$/);
});

test('a container without a readinessProbe that declares a TCP port is Ready once the port accepts connections (no events), or PORT_WAIT_MS after it started', async (t) => {
  const port = await freePort();
  const clock = new FakeClock();
  const events: string[] = [];
  const m = new ProbeManager({ runtime: hostExecRunner(), clock, recordEvent: (_p, _c, type, reason) => events.push(`${type} ${reason}`) });
  t.after(() => m.stop());
  const c: Container = { name: 'app', ports: [{ containerPort: port }] };
  const pod: Pod = { ...probePod(c), status: { podIP: '127.0.0.1' } };
  m.sync(pod, [{ name: 'app', containerId: 'c1' }]);
  await settle();
  assert.equal(m.ready(pod, c), false, 'nothing listens on the declared port yet');
  const srv = createTcpServer((s) => s.destroy());
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', () => r()));
  t.after(() => srv.close());
  for (let i = 0; i < 200 && !m.ready(pod, c); i++) { clock.step(100); await new Promise((r) => setTimeout(r, 5)); }
  assert.equal(m.ready(pod, c), true, 'Ready once the port accepts');
  assert.deepEqual(events, [], 'the implicit wait records no Unhealthy events');

  // A process that never binds its declared port is Ready after PORT_WAIT_MS, as upstream would have made it at once.
  const closed = await freePort();
  const idle: Container = { name: 'idle', ports: [{ containerPort: closed }] };
  const pod2: Pod = { metadata: { namespace: 'default', name: 'idle', uid: 'u2' }, spec: { containers: [idle] }, status: { podIP: '127.0.0.1' } };
  m.sync(pod2, [{ name: 'idle', containerId: 'c2' }]);
  await settle();
  assert.equal(m.ready(pod2, idle), false);
  for (let i = 0; i < 80 && !m.ready(pod2, idle); i++) { clock.step(100); await new Promise((r) => setTimeout(r, 5)); }
  assert.equal(m.ready(pod2, idle), true, 'Ready at the latest PORT_WAIT_MS after the start');
  const plain: Container = { name: 'plain' };
  assert.equal(m.ready({ ...probePod(plain), metadata: { uid: 'u3' } }, plain), true, 'no declared port: Ready at once, as upstream');
});
