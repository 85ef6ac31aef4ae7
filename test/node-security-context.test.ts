// The real node, black-box: what a container's securityContext (merged with the pod's) does to its processes in a
// runc sandbox, read from /proc/<pid>/status inside the container (PID 1 is the main process) and from `kubectl
// exec`: user, group and supplemental groups (fsGroup owning the volumes); capabilities (containerd's default set, drop ALL + add, privileged);
// no_new_privs from allowPrivilegeEscalation: false; a read-only root with a writable emptyDir; runAsNonRoot
// refusing root and image users it cannot check, with upstream's messages. Needs root, runc, the CNI plugins and
// /bin/busybox; skipped otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectlApply as apply, kubectlGet as get, startTestCluster, type TestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';
import { ownCIDR, realNodeSkip } from './helpers/node.js';

const skip = realNodeSkip || (existsSync('/bin/busybox') ? false : 'skipped: /bin/busybox not found (Debian package busybox-static)');

const nanokube = (c: TestCluster, args: string[]) => new Promise<{ code: number; out: string }>((resolve) => {
  execFile(process.execPath, [join(process.cwd(), 'bin', 'nanokube.js'), ...args], { env: { ...process.env, NANOKUBE_HOME: c.home }, timeout: 120_000 },
    (err, stdout, stderr) => resolve({ code: err ? 1 : 0, out: stdout + stderr }));
});

/** The capability mask /proc/<pid>/status shows for these capability numbers. */
const mask = (bits: number[]) => bits.reduce((m, b) => m | (1n << BigInt(b)), 0n).toString(16).padStart(16, '0');
// containerd's default: CHOWN 0, DAC_OVERRIDE 1, FOWNER 3, FSETID 4, KILL 5, SETGID 6, SETUID 7, SETPCAP 8,
// NET_BIND_SERVICE 10, NET_RAW 13, SYS_CHROOT 18, MKNOD 27, AUDIT_WRITE 29, SETFCAP 31.
const DEFAULT_MASK = mask([0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31]);

const field = (status: string, name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim().split(/\s+/) ?? [];

const pod = (name: string, spec: Record<string, unknown>, container: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { terminationGracePeriodSeconds: 0, ...spec, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'], ...container }] },
});

test('node: securityContext sets the user, groups, capabilities, no_new_privs and a read-only root of a container and its exec\'d processes; runAsNonRoot refuses root', { skip, timeout: 300_000 }, async (t) => {
  const c = await startTestCluster(t, { node: true, clusterCIDR: ownCIDR() });
  await until('node Ready', async () => (await get(c, ['node', 'nanokube'])).status.conditions.some((x: any) => x.type === 'Ready' && x.status === 'True'), 60_000);
  const ctx = join(c.home, 'named-user');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox:1.36\nUSER nobody\n');
  const built = await nanokube(c, ['image', 'build', '-t', 'named-user:1', ctx]);
  assert.equal(built.code, 0, built.out);

  await apply(c, pod('restricted', { securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000], runAsNonRoot: true }, volumes: [{ name: 'scratch', emptyDir: {} }] }, {
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } },
    volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
  }));
  await apply(c, pod('container-wins', { securityContext: { runAsUser: 1000, runAsGroup: 3000 } }, { securityContext: { runAsUser: 1001 } }));
  await apply(c, pod('plain', {}));
  await apply(c, pod('privileged', {}, { securityContext: { privileged: true } }));
  await apply(c, pod('image-user', {}, { image: 'named-user:1' }));
  await apply(c, pod('root-refused', { securityContext: { runAsNonRoot: true } }));
  await apply(c, pod('name-refused', { securityContext: { runAsNonRoot: true } }, { image: 'named-user:1' }));

  const status = async (name: string, file = '/proc/1/status') => {
    const r = await c.kubectl(['exec', name, '--', 'cat', file]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  for (const name of ['restricted', 'container-wins', 'plain', 'privileged', 'image-user']) {
    await until(`${name} Running`, async () => (await get(c, ['pod', name])).status?.phase === 'Running', 60_000);
  }

  // Pod-level ids, fsGroup and supplementalGroups as groups; drop ALL + add NET_BIND_SERVICE; no_new_privs.
  for (const file of ['/proc/1/status', '/proc/self/status']) {
    const s = await status('restricted', file);
    assert.deepEqual(field(s, 'Uid'), ['1000', '1000', '1000', '1000'], `${file} Uid`);
    assert.deepEqual(field(s, 'Gid'), ['3000', '3000', '3000', '3000'], `${file} Gid`);
    assert.deepEqual(field(s, 'Groups').sort(), ['2000', '3000', '4000'], `${file} Groups`);
    assert.deepEqual(field(s, 'CapBnd'), [mask([10])], `${file} CapBnd`);
    assert.deepEqual(field(s, 'CapEff'), [mask([])], `${file}: a non-root user keeps no effective capability`);
    assert.deepEqual(field(s, 'NoNewPrivs'), ['1'], `${file} NoNewPrivs`);
  }
  const id = await c.kubectl(['exec', 'restricted', '--', 'id']);
  assert.match(id.stdout, /^uid=1000(\([^)]*\))? gid=3000 /, id.stderr);
  const writes = await c.kubectl(['exec', 'restricted', '--', 'sh', '-c', 'touch /root-file 2>&1; touch /scratch/file && echo scratch-ok']);
  assert.match(writes.stdout, /Read-only file system/);
  assert.match(writes.stdout, /scratch-ok/);
  // fsGroup owns the volumes: the emptyDir is group 2000 with setgid, so what the pod writes there is too; the
  // service account token is in its group.
  const owned = await c.kubectl(['exec', 'restricted', '--', 'stat', '-L', '-c', '%g %a', '/scratch', '/scratch/file', '/var/run/secrets/kubernetes.io/serviceaccount/token']);
  const [dir, file, token] = owned.stdout.trim().split('\n');
  assert.equal(dir, '2000 2777', owned.stderr);
  assert.match(file!, /^2000 /);
  assert.match(token!, /^2000 6[46]4$/);

  // The container's runAsUser wins over the pod's; the pod's runAsGroup stays.
  const wins = await status('container-wins');
  assert.deepEqual(field(wins, 'Uid')[0], '1001');
  assert.deepEqual(field(wins, 'Gid')[0], '3000');

  // No securityContext: root with containerd's default capabilities, privilege escalation allowed, a writable root.
  const plain = await status('plain');
  assert.deepEqual(field(plain, 'Uid')[0], '0');
  assert.deepEqual(field(plain, 'CapEff'), [DEFAULT_MASK]);
  assert.deepEqual(field(plain, 'CapBnd'), [DEFAULT_MASK]);
  assert.deepEqual(field(plain, 'NoNewPrivs'), ['0']);
  const rw = await c.kubectl(['exec', 'plain', '--', 'sh', '-c', 'touch /root-file && echo root-ok']);
  assert.match(rw.stdout, /root-ok/, rw.stderr);

  // privileged: every capability the node's runtime has.
  const own = field(readFileSync('/proc/self/status', 'utf8'), 'CapBnd');
  assert.deepEqual(field(await status('privileged'), 'CapEff'), own);

  // The image's USER (a name, resolved in the image's /etc/passwd) is the default user.
  assert.deepEqual(field(await status('image-user'), 'Uid')[0], '65534');

  // runAsNonRoot: root (an image without USER) and a non-numeric image user are refused, with upstream's words.
  for (const [name, message] of [
    ['root-refused', 'container has runAsNonRoot and image will run as root'],
    ['name-refused', 'container has runAsNonRoot and image has non-numeric user (nobody), cannot verify user is non-root'],
  ] as const) {
    const p = await until(`${name} waiting with CreateContainerConfigError`, async () => {
      const p = await get(c, ['pod', name]);
      return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError' && p;
    }, 60_000);
    assert.equal(p.status.containerStatuses[0].state.waiting.message, `${message} (pod: "${name}_default(${p.metadata.uid})", container: c)`);
  }
});
