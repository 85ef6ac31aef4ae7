// Test doubles for the sandbox runtime: a small in-memory ImageStoreReader (for tests that need exact images
// without a real image store), a busybox-static root filesystem, sandbox/container configs, until() and processList().
import fs from 'node:fs';
import path from 'node:path';
import type { ImageStoreReader, ResolvedImage } from '../../../images/index.js';
import type { ContainerConfig, PodSandboxConfig } from '../runtime.js';

export class FakeImageStore implements ImageStoreReader {
  readonly images = new Map<string, ResolvedImage>();
  add(ref: string, layers: string[], config: ResolvedImage['config'] = {}): ResolvedImage {
    const img: ResolvedImage = { id: `sha256:${Buffer.from(ref).toString('hex').padEnd(64, '0').slice(0, 64)}`, repoTags: [ref], repoDigests: [], size: 0, config, layers };
    this.images.set(ref, img);
    return img;
  }
  async resolve(ref: string): Promise<ResolvedImage | null> {
    return this.images.get(ref) ?? [...this.images.values()].find((i) => i.id === ref) ?? null;
  }
  async list(): Promise<ResolvedImage[]> { return [...this.images.values()]; }
  async remove(ref: string): Promise<void> { this.images.delete(ref); }
}

/** A root filesystem holding only busybox-static and its applet links, or null when /bin/busybox is not static. */
export function makeBusyboxRootfs(dir: string): string | null {
  const bb = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
  if (!bb) return null;
  const head = fs.readFileSync(bb).subarray(0, 4096).toString('latin1');
  if (head.includes('ld-linux')) return null; // dynamically linked: not usable alone
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.copyFileSync(bb, path.join(dir, 'bin/busybox'));
  fs.chmodSync(path.join(dir, 'bin/busybox'), 0o755);
  for (const a of ['sh', 'ls', 'cat', 'echo', 'sleep', 'hostname', 'wget', 'nc', 'httpd', 'ip', 'ps', 'env', 'head', 'dd', 'true', 'false', 'kill', 'yes', 'mkdir', 'ifconfig', 'sed', 'grep']) {
    fs.symlinkSync('busybox', path.join(dir, 'bin', a));
  }
  fs.writeFileSync(path.join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  fs.writeFileSync(path.join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  return dir;
}

export function sandboxConfig(name: string, logDirectory: string, over: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  const uid = `uid-${name}`;
  return {
    metadata: { name, namespace: 'default', uid, attempt: 0 },
    hostname: name,
    logDirectory,
    portMappings: [],
    labels: { 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': uid },
    annotations: {},
    namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' },
    ...over,
  };
}

export function containerConfig(name: string, image: string, argv: string[], over: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    metadata: { name, attempt: 0 },
    image: { image },
    command: argv,
    args: [],
    envs: [],
    mounts: [],
    logPath: `${name}/0.log`,
    labels: { 'io.kubernetes.container.name': name },
    annotations: {},
    ...over,
  };
}

/** Polls f until it returns something truthy (the timeout only bounds a hang: 20 s, runc is slow to start). */
export async function until<T>(f: () => T | Promise<T>, what: string, ms = 20000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every process's command line but this one's, one per line (from /proc, so no `ps` is needed). */
export function processList(): string {
  const out: string[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try { out.push(fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').join(' ').trim()); } catch { /* gone */ }
  }
  return out.join('\n');
}
