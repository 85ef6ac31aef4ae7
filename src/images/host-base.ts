// Well-known base images (python, node, alpine, debian, ubuntu, busybox, at any tag) stand for the host's own root
// filesystem: there is no registry to pull from, and this host already has the interpreters those images exist for.
// Such an image is the host root ("/", read-only, as the lowest overlay layer) plus, where the real image has
// names the host lacks, one small layer of its own:
//   python   /usr/local/bin/{python,python3,pip,pip3} → the host's /usr/bin/python3 and pip, and no
//            EXTERNALLY-MANAGED marker (the real python images have none, so `pip install` works as in them;
//            pip installs into the image's /usr/local, never the host's);
//   busybox  /usr/local/bin/<applet> → /bin/busybox for applets the host has no program for.
// The image is recorded in the store under the name used (as a pull would), so `image ls` shows it and the
// derived images and containers name the same layers.
import { execFileSync } from 'node:child_process';
import { existsSync, lutimesSync, mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packLayer } from './layer.js';
import { mknod } from './mknod.js';
import { hostPython } from './host-root-scrub.js';
import { ANNOTATION_HOST_ROOT, MEDIA_TYPE_CONFIG, MEDIA_TYPE_LAYER_GZIP, hostArchitecture, type OciImageConfig, type OciManifest } from './oci.js';
import { normalizeReference, parseReference } from './reference.js';
import type { ImageStore, StoredImage } from './store.js';

export const WELL_KNOWN_BASES = ['python', 'node', 'alpine', 'debian', 'ubuntu', 'busybox'] as const;
export type WellKnownBase = typeof WELL_KNOWN_BASES[number];

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const FIXED_MTIME = new Date('2000-01-01T00:00:00Z'); // reproducible digests for the alias layers

/** Which well-known base a reference names (docker.io/library/<name> at any tag), or null. */
export function hostBaseFor(ref: string): WellKnownBase | null {
  let r;
  try { r = parseReference(ref); } catch { return null; }
  if (r.domain !== 'docker.io' || r.digest) return null;
  const name = r.path.replace(/^library\//, '');
  return (WELL_KNOWN_BASES as readonly string[]).includes(name) && r.path.startsWith('library/') ? name as WellKnownBase : null;
}

function run(cmd: string, args: string[]): string | null {
  try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim(); } catch { return null; }
}

function osPrettyName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m?.[1] ?? 'unknown OS';
  } catch { return 'unknown OS'; }
}

let hostPythonVersion: string | null | undefined;
/** The host python3's version (asked once: each ask starts python, ~50 ms on the event loop). */
function pythonVersion(): string | null {
  if (hostPythonVersion !== undefined) return hostPythonVersion;
  const py = hostPython();
  return (hostPythonVersion = py ? run(py, ['-c', 'import platform; print(platform.python_version())']) : null);
}

/** What the host offers for a base: the one line the build prints ("host root filesystem (Python 3.11)"). */
export function describeHostBase(base: WellKnownBase): string {
  switch (base) {
    case 'python': {
      const v = pythonVersion();
      return v ? `host root filesystem (Python ${v.split('.').slice(0, 2).join('.')})` : 'host root filesystem (no python3 on this host)';
    }
    case 'node': {
      const v = existsSync('/usr/bin/node') ? run('/usr/bin/node', ['--version']) : existsSync('/usr/local/bin/node') ? run('/usr/local/bin/node', ['--version']) : null;
      return v ? `host root filesystem (Node.js ${v.replace(/^v/, '')})` : 'host root filesystem (no node in /usr on this host)';
    }
    case 'busybox': {
      const v = existsSync('/bin/busybox') ? run('/bin/busybox', ['--help'])?.split('\n')[0]?.split(' ').slice(0, 2).join(' ') : null;
      return `host root filesystem (${osPrettyName()}${v ? `, ${v}` : ''})`;
    }
    default:
      return `host root filesystem (${osPrettyName()})`;
  }
}

/** The host python's EXTERNALLY-MANAGED marker (PEP 668), when it has one: the python base hides it with a whiteout. */
function externallyManagedMarker(): string | null {
  const v = pythonVersion();
  const marker = v ? `/usr/lib/python${v.split('.').slice(0, 2).join('.')}/EXTERNALLY-MANAGED` : null;
  return marker && existsSync(marker) ? marker : null;
}

/**
 * Whether a stored base is one this host made without root that root would make differently: a python base's
 * whiteout over EXTERNALLY-MANAGED needs root (mknod), so a base recorded by a build without root (before its
 * RUN step failed) lacks it, and a later RUN pip install as root in the same store would be refused (PEP 668).
 * Only nanokube's own bases are checked (a loaded image under the name is the user's).
 */
async function madeWithoutRoot(store: ImageStore, base: WellKnownBase, img: StoredImage): Promise<boolean> {
  if (base !== 'python' || process.getuid?.() !== 0 || img.manifest.annotations?.[ANNOTATION_HOST_ROOT] !== 'true') return false;
  // Exactly the base (its two history entries, its one layer), not an image built on it.
  if (!img.config.history?.[0]?.created_by?.startsWith('nanokube: host root filesystem') || img.config.history.length !== 2 || img.manifest.layers.length !== 1) return false;
  const marker = externallyManagedMarker();
  const diffId = img.config.rootfs?.diff_ids?.[0];
  if (!marker || !diffId) return false;
  return !existsSync(join(await store.layerDir(diffId, img.manifest.layers[0]!.digest), marker));
}

/** Fills `dir` with the base's own small layer; returns false when the base needs none. */
function aliasLayer(base: WellKnownBase, dir: string): boolean {
  const bin = join(dir, 'usr/local/bin');
  const link = (target: string, name: string) => { mkdirSync(bin, { recursive: true }); symlinkSync(target, join(bin, name)); lutimesSync(join(bin, name), FIXED_MTIME, FIXED_MTIME); };
  if (base === 'python') {
    const py = hostPython();
    if (!py) return false;
    for (const n of ['python', 'python3']) if (!existsSync(`/usr/local/bin/${n}`)) link(py, n);
    const pip3 = ['/usr/bin/pip3', '/usr/local/bin/pip3'].find((p) => existsSync(p));
    for (const n of ['pip', 'pip3']) {
      if (existsSync(`/usr/local/bin/${n}`)) continue;
      if (pip3) link(pip3, n);
      else { // no pip on the host (yet): use it if it appears, else say what is missing
        mkdirSync(bin, { recursive: true });
        writeFileSync(join(bin, n), `#!/bin/sh\nif ${py} -c 'import pip' 2>/dev/null; then exec ${py} -m pip "$@"; fi\n`
          + `echo "${n}: the host root filesystem this image stands on has no pip (Debian: apt-get install python3-pip)" >&2\nexit 127\n`, { mode: 0o755 });
        utimesSync(join(bin, n), FIXED_MTIME, FIXED_MTIME);
      }
    }
    const marker = externallyManagedMarker();
    if (marker && process.getuid?.() === 0) {
      mkdirSync(join(dir, marker, '..'), { recursive: true });
      mknod(join(dir, marker));
      utimesSync(join(dir, marker), FIXED_MTIME, FIXED_MTIME);
    }
    for (const d of ['usr/local/bin', 'usr/local', 'usr/lib', 'usr', '']) {
      if (existsSync(join(dir, d))) utimesSync(join(dir, d), FIXED_MTIME, FIXED_MTIME);
    }
    const lib = marker ? join(dir, marker, '..') : null;
    if (lib && existsSync(lib)) utimesSync(lib, FIXED_MTIME, FIXED_MTIME);
    return true;
  }
  if (base === 'busybox' && existsSync('/bin/busybox')) {
    const applets = (run('/bin/busybox', ['--list']) ?? '').split('\n').filter(Boolean);
    const have = (a: string) => ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => existsSync(join(d, a)));
    const missing = applets.filter((a) => /^[\w.[-]+$/.test(a) && !have(a));
    if (missing.length === 0) return false;
    for (const a of missing) link('/bin/busybox', a);
    for (const d of ['usr/local/bin', 'usr/local', 'usr', '']) utimesSync(join(dir, d), FIXED_MTIME, FIXED_MTIME);
    return true;
  }
  return false;
}

function baseConfig(base: WellKnownBase): NonNullable<OciImageConfig['config']> {
  const env = [`PATH=${DEFAULT_PATH}`];
  switch (base) {
    case 'python': {
      const v = pythonVersion();
      return { Env: [...env, 'LANG=C.UTF-8', ...(v ? [`PYTHON_VERSION=${v}`] : [])], Cmd: ['python3'] };
    }
    case 'node': return { Env: env, Cmd: ['node'] };
    case 'busybox': return { Env: env, Cmd: ['sh'] };
    default: return { Env: env, Cmd: ['/bin/bash'] };
  }
}

/** Adds (or finds) the host-root image a well-known base reference names (made again when made without root, see above). */
export async function ensureHostBaseImage(store: ImageStore, ref: string): Promise<StoredImage> {
  const base = hostBaseFor(ref);
  if (!base) throw new Error(`${ref} is not a well-known base image`);
  const name = normalizeReference(ref);
  const existing = store.find(name);
  if (existing && !(await madeWithoutRoot(store, base, existing))) return existing;
  const work = store.tempDir('base');
  try {
    const layers: OciManifest['layers'] = [];
    const diffIds: string[] = [];
    const dir = join(work, 'layer');
    mkdirSync(dir);
    if (aliasLayer(base, dir)) {
      const blob = join(work, 'layer.tar.gz');
      const d = await packLayer(dir, blob);
      store.adoptBlob(blob, d.digest);
      store.adoptLayerDir(dir, d.diffId);
      layers.push({ mediaType: MEDIA_TYPE_LAYER_GZIP, digest: d.digest, size: d.size });
      diffIds.push(d.diffId);
    }
    const description = describeHostBase(base);
    const config: OciImageConfig = {
      created: FIXED_MTIME.toISOString(), architecture: hostArchitecture(), os: 'linux',
      config: baseConfig(base),
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [
        { created: FIXED_MTIME.toISOString(), created_by: `nanokube: ${description}`, comment: 'the host root filesystem, mounted read-only as the lowest layer', empty_layer: true },
        ...(diffIds.length ? [{ created: FIXED_MTIME.toISOString(), created_by: `nanokube: ${base} names the host lacks (/usr/local/bin)` }] : []),
      ],
    };
    const configDesc = store.putJSON(config, MEDIA_TYPE_CONFIG);
    store.tag({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDesc, layers, annotations: { [ANNOTATION_HOST_ROOT]: 'true' } }, [name]);
    const img = store.find(name);
    if (!img) throw new Error(`could not record ${name} in the image store`);
    return img;
  } finally { rmSync(work, { recursive: true, force: true }); }
}
