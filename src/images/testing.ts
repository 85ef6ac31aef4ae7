// Test fixtures for the image store: image archives made in the test from Debian's busybox-static (/bin/busybox),
// shaped as `docker save` and OCI image-layout archives, and a helper that runs a command in a stored image.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar';
import { hostArchitecture } from './oci.js';
import { runInImage } from './run-in-image.js';
import type { ImageStore } from './store.js';

export const BUSYBOX = '/bin/busybox';
export const haveBusybox = () => existsSync(BUSYBOX);
export const isRoot = () => process.getuid?.() === 0;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A root filesystem holding only busybox, its applets as symlinks, /etc/passwd and a marker file. */
export function busyboxRootfs(dir: string): string[] {
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => /^[\w.[-]+$/.test(a) && a !== 'busybox');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'etc'), { recursive: true });
  copyFileSync(BUSYBOX, join(dir, 'bin', 'busybox'));
  for (const a of applets) symlinkSync('busybox', join(dir, 'bin', a));
  writeFileSync(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(dir, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  writeFileSync(join(dir, 'hello.txt'), 'hello from a loaded image\n');
  return ['bin', 'etc', 'hello.txt'];
}

async function tarOf(cwd: string, entries: string[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const stream = tar.c({ cwd, portable: false }, entries) as unknown as NodeJS.ReadableStream;
  const sink = new PassThrough();
  stream.pipe(sink);
  for await (const c of sink) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Writes a busybox image archive to `file`: format "docker" as `docker save` (manifest.json, <config>.json,
 * <id>/layer.tar), or "oci" as an OCI image layout with the name in io.containerd.image.name.
 */
export async function writeBusyboxArchive(file: string, opts: { name: string; format: 'docker' | 'oci'; alsoNamed?: string[] }): Promise<{ configDigest: string }> {
  const work = mkdtempSync(join(file, '..', 'bb-'));
  try {
    const rootfs = join(work, 'rootfs');
    const entries = busyboxRootfs(rootfs);
    const layer = await tarOf(rootfs, entries);
    const diffId = `sha256:${sha256(layer)}`;
    const config = Buffer.from(JSON.stringify({
      architecture: hostArchitecture(), os: 'linux', created: '2024-01-01T00:00:00Z',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created: '2024-01-01T00:00:00Z', created_by: 'nanokube test: busybox-static rootfs' }],
    }));
    const configHex = sha256(config);
    const out = join(work, 'archive');
    mkdirSync(out);
    if (opts.format === 'docker') {
      const layerHex = sha256(layer);
      mkdirSync(join(out, layerHex));
      writeFileSync(join(out, layerHex, 'layer.tar'), layer);
      writeFileSync(join(out, `${configHex}.json`), config);
      writeFileSync(join(out, 'manifest.json'), JSON.stringify([{ Config: `${configHex}.json`, RepoTags: [opts.name, ...(opts.alsoNamed ?? [])], Layers: [`${layerHex}/layer.tar`] }]));
      writeFileSync(join(out, 'repositories'), '{}');
      writeFileSync(file, await tarOf(out, ['manifest.json', 'repositories', `${configHex}.json`, layerHex]));
    } else {
      const gz = gzipSync(layer);
      const blobs = join(out, 'blobs', 'sha256');
      mkdirSync(blobs, { recursive: true });
      writeFileSync(join(blobs, sha256(gz)), gz);
      writeFileSync(join(blobs, configHex), config);
      const manifest = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configHex}`, size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${sha256(gz)}`, size: gz.length }],
      }));
      writeFileSync(join(blobs, sha256(manifest)), manifest);
      writeFileSync(join(out, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
      const tag = opts.name.includes(':') ? opts.name.slice(opts.name.lastIndexOf(':') + 1) : 'latest';
      writeFileSync(join(out, 'index.json'), JSON.stringify({
        schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${sha256(manifest)}`, size: manifest.length,
          annotations: { 'io.containerd.image.name': opts.name, 'org.opencontainers.image.ref.name': tag } }],
      }));
      writeFileSync(file, await tarOf(out, ['oci-layout', 'index.json', 'blobs']));
    }
    return { configDigest: `sha256:${configHex}` };
  } finally { rmSync(work, { recursive: true, force: true }); }
}

/** Runs argv inside a stored image (as RUN would, on a throwaway upper dir); returns exit code and output. */
export async function runInStoredImage(store: ImageStore, ref: string, argv: string[]): Promise<{ code: number; output: string }> {
  const img = await store.resolve(ref);
  if (!img) throw new Error(`no image ${ref}`);
  const work = store.tempDir('test-run');
  try {
    for (const d of ['upper', 'work', 'root']) mkdirSync(join(work, d));
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const code = await runInImage({
      layers: img.layers, upper: join(work, 'upper'), work: join(work, 'work'), mountpoint: join(work, 'root'),
      argv, env: img.config.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      workingDir: img.config.workingDir ?? '/', stdout: sink, stderr: sink,
    });
    return { code, output: Buffer.concat(chunks).toString('utf8') };
  } finally { rmSync(work, { recursive: true, force: true }); }
}

export function readText(p: string): string { return readFileSync(p, 'utf8'); }
