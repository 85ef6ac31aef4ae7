// The kubelet with the real probe manager (src/kubelet/prober) against a real API server, over the in-memory
// runtime whose exec answers come from the test: readiness gates the pod's Ready condition, a liveness failure
// restarts the container with upstream's events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlApply as apply, kubectlGet as get, startTestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';
import { Client } from '../src/client/client.js';
import { EventRecorder } from '../src/client/events.js';
import { httpTransport } from '../src/client/transport.js';
import { FakeRuntime, kubeletProbes, startKubelet } from '../src/kubelet/index.js';

/** The fake runtime, with exec exit codes decided per command by the test (what `cat /tmp/ready` would do). */
class ScriptedExecRuntime extends FakeRuntime {
  exitCodes = new Map<string, number>();
  override async execSync(id: string, cmd: string[]) {
    await super.execSync(id, cmd);
    const code = this.exitCodes.get(cmd.join(' ')) ?? 0;
    return { stdout: Buffer.alloc(0), stderr: Buffer.from(code ? `${cmd.join(' ')}: failed\n` : ''), exitCode: code };
  }
}

async function withKubelet(t: { after(fn: () => unknown): void }) {
  const c = await startTestCluster(t);
  const runtime = new ScriptedExecRuntime();
  runtime.addImage('app:1', { cmd: ['/app'] });
  const client = new Client(httpTransport({ server: c.url, ...c.pki }), { userAgent: 'kubelet/v1.32.2 (test)' });
  const recorder = new EventRecorder({ client, component: 'kubelet', host: 'nanokube', log: () => {} });
  const ac = new AbortController();
  const kubelet = await startKubelet({ client, runtime, home: c.home, signal: ac.signal, log: () => {}, kubeletPort: 10250, probes: kubeletProbes({ runtime, recorder, log: () => {} }) });
  t.after(async () => { await kubelet.stop({ graceSeconds: 1 }); });
  await kubelet.ready;
  return { c, runtime };
}

const condition = (p: any, type: string) => p.status?.conditions?.find((k: any) => k.type === type)?.status;

test('probes: readiness gates Ready, a liveness failure restarts the container with Unhealthy and Killing events', async (t) => {
  const { c, runtime } = await withKubelet(t);
  runtime.exitCodes.set('cat /tmp/ready', 1);
  await apply(c, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'probed' }, spec: { terminationGracePeriodSeconds: 1, containers: [{
    name: 'app', image: 'app:1',
    readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 },
    livenessProbe: { exec: { command: ['cat', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 2 },
  }] } });
  const running = await until('Running but not Ready', async () => {
    const p = await get(c, ['pod', 'probed']);
    return p.status?.phase === 'Running' && condition(p, 'Ready') === 'False' && p;
  });
  assert.equal(running.status.containerStatuses[0].ready, false);
  assert.equal(running.status.containerStatuses[0].started, true);
  await until('Unhealthy readiness event', async () => (await get(c, ['events', '--field-selector', 'involvedObject.name=probed'])).items
    .some((e: any) => e.reason === 'Unhealthy' && e.message === 'Readiness probe failed: cat /tmp/ready: failed\n' && e.involvedObject.fieldPath === 'spec.containers{app}'));

  runtime.exitCodes.set('cat /tmp/ready', 0);
  await until('Ready once the readiness probe succeeds', async () => condition(await get(c, ['pod', 'probed']), 'Ready') === 'True');

  runtime.exitCodes.set('cat /tmp/alive', 1);
  const restarted = await until('restarted after the liveness failure', async () => {
    const p = await get(c, ['pod', 'probed']);
    return p.status?.containerStatuses?.[0]?.restartCount >= 1 && p;
  });
  assert.equal(restarted.status.containerStatuses[0].restartCount >= 1, true);
  const events = (await get(c, ['events', '--field-selector', 'involvedObject.name=probed'])).items as any[];
  assert.ok(events.some((e) => e.reason === 'Unhealthy' && e.message.startsWith('Liveness probe failed: cat /tmp/alive: failed')), JSON.stringify(events.map((e) => e.message)));
  assert.ok(events.some((e) => e.reason === 'Killing' && e.message === 'Container app failed liveness probe, will be restarted'), JSON.stringify(events.map((e) => `${e.reason}: ${e.message}`)));
});
